"""Headless Chromium (Debian's, never a downloaded build) driven by Playwright for the browser tests.

Playwright's sync API keeps an event loop in the test thread, and Django refuses database calls from a
thread with a running loop unless told that this is safe: the tests are plain synchronous code, so it is.
"""

import os
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("KECHUANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"找不到 Chromium：{CHROMIUM}（scripts/browser.sh 会安装 Debian 的 chromium）")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh page; a journey fails if the Content-Security-Policy had to block anything on the way."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    blocked = []
    try:
        page = context.new_page()
        page.on("console", lambda message: blocked.append(message.text)
                if "Content Security Policy" in message.text else None)
        yield page
    finally:
        context.close()
    assert blocked == [], blocked


@pytest.fixture
def page_errors(page):
    """JavaScript errors the pages raise (a chart script failing shows up here)."""
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors
