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
