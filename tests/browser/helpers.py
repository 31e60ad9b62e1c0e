"""Steps every browser journey takes: signing in and out through the real login form."""

from core.demo import DEMO_PASSWORD


def log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert "/login/" not in page.url, page.inner_text("main")


def log_out(page, base):
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    assert page.url == f"{base}/login/"


def press(page, name):
    """Click a button by its exact label and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def status(page) -> str:
    """The record's status badge on its page."""
    return page.inner_text('[data-testid="status"]')
