"""The Content-Security-Policy holds in a real browser: Swagger UI renders the API under its
own policy, and the sign-in page loads its styles, with no violation reported."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text else None)
    return found


def test_swagger_ui_renders_under_its_policy(browser, live_server):
    page = browser.new_page()
    reported = violations(page)
    page.goto(f"{live_server}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "Carbon label service" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 50  # the operations were fetched and drawn
    assert reported == []
    page.close()


def test_sign_in_page_is_styled_without_inline_styles(browser, live_server):
    page = browser.new_page()
    reported = violations(page)
    page.goto(f"{live_server}/app/login")
    sheets = page.evaluate("document.styleSheets.length")
    assert sheets == 1 and reported == []
    page.close()
