"""The Content-Security-Policy holds: pages run only the platform's own files, nothing inline.

Two checks: every template in the project is free of inline script, event-handler attributes and style
attributes (which the policy would block, so the page would silently break), and the pages a bureau admin
reaches from the menu are served with the policy and obey it as rendered.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
LINK = re.compile(r'href="(/[^"#?]*)"')


def _templates():
    for folder in ("templates", "core", "plans", "tasks", "enterprises"):
        yield from (ROOT / folder).glob("**/templates/**/*.html") if folder != "templates" else \
            (ROOT / folder).glob("**/*.html")


def _offences(html: str) -> list[str]:
    return [m.group(0)[:80] for pattern in (INLINE_SCRIPT, HANDLER, STYLE_ATTR) for m in pattern.finditer(html)]


def test_the_checks_catch_what_the_policy_blocks():
    assert _offences('<script>alert(1)</script>') and _offences('<select onchange="go()">')
    assert _offences('<div class="x" style="height: 4px">')
    assert not _offences('<script src="/static/a.js" defer></script><div data-style="x">')


@pytest.mark.parametrize("template", sorted(str(p.relative_to(ROOT)) for p in _templates()))
def test_templates_hold_no_inline_script_or_style(template):
    assert _offences((ROOT / template).read_text(encoding="utf-8")) == []


@pytest.mark.django_db
def test_pages_are_served_under_a_policy_without_inline_script(client, users, demo):
    client.force_login(users["ph_admin"])
    home = client.get("/", follow=True)
    policy = home.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"

    seen, queue = set(), ["/"]
    while queue and len(seen) < 60:
        path = queue.pop(0)
        if path in seen or path.startswith(("/static/", "/media/", "/logout", "/api/")):
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code in (301, 302):
            queue.append(urlsplit(response.headers["Location"]).path)
            continue
        if response.status_code != 200 or "text/html" not in response.headers.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert "Content-Security-Policy" in response.headers, path
        assert _offences(html) == [], path
        queue.extend(p for p in LINK.findall(html) if urlsplit(p).path not in seen)
    assert len(seen) >= 20


@pytest.mark.django_db
def test_api_docs_run_without_inline_script(client, users):
    client.force_login(users["ph_admin"])
    page = client.get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(page)
    script = re.search(r'<script src="([^"]*\?script=?)"', page)
    assert script, page
    assert client.get(script.group(1)).status_code == 200
