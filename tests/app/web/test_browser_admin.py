"""An admin in a real browser (Debian Chromium via Playwright) adds a user on the
administration pages; the new person then signs in. Kept apart from the main browser story
(test_browser_flow.py), which other work edits."""

from __future__ import annotations

import re

import pytest

from tests.app.web.test_browser_flow import LOW_CONTRAST, PASSWORD, UNLABELLED

pytestmark = pytest.mark.browser


def test_admin_adds_a_user_who_can_then_sign_in(world, live_server, browser, shots):
    context = browser.new_context(locale="zh-HK", viewport={"width": 1280, "height": 900})
    admin = context.new_page()  # a Hong Kong browser: the pages are in Traditional Chinese
    admin.goto(f"{live_server}/app/login")
    admin.get_by_label(re.compile("電郵|Email")).fill("admin@test.example")
    admin.get_by_label(re.compile("密碼|Password")).fill(PASSWORD)
    admin.get_by_role("button", name=re.compile("登入|Sign in")).click()
    admin.get_by_role("link", name=re.compile("管理|Administration")).click()
    admin.get_by_role("link", name=re.compile("用戶與角色|Users and roles")).click()
    admin.wait_for_url(re.compile("/app/admin/users"))
    admin.wait_for_load_state()
    assert admin.evaluate("document.documentElement.lang") == "zh-Hant"
    assert admin.locator("h1").count() == 1 and admin.evaluate(UNLABELLED) == []
    assert admin.evaluate(LOW_CONTRAST) == []
    admin.locator("#email").fill("short@test.example")
    admin.locator("#name").fill("Too Short")
    admin.locator("#password").fill("short")
    admin.evaluate("document.querySelector('#password').removeAttribute('minlength')")
    admin.locator("#role").select_option("exporter")
    admin.locator("#organisation_id").select_option(label="Exporter A (出口商)")
    admin.get_by_role("button", name=re.compile("新增用戶|Add user")).click()
    admin.get_by_text(re.compile("密碼：|Password:")).first.wait_for()
    assert "short@test.example" not in admin.locator("table").inner_text()
    admin.locator("#email").fill("chan.tai.man@test.example")
    admin.locator("#name").fill("Chan Tai Man")
    admin.locator("#password").fill("a long enough password")
    admin.locator("#role").select_option("exporter")
    admin.locator("#organisation_id").select_option(label="Exporter A (出口商)")
    admin.get_by_role("button", name=re.compile("新增用戶|Add user")).click()
    admin.get_by_text(re.compile("已新增用戶 chan.tai.man@test.example")).wait_for()
    assert "chan.tai.man@test.example" in admin.locator("table").inner_text()
    admin.screenshot(path=shots / "admin-users.png", full_page=True)

    newcomer = browser.new_context(locale="en-GB").new_page()
    newcomer.goto(f"{live_server}/app/login")
    newcomer.get_by_label(re.compile("Email")).fill("chan.tai.man@test.example")
    newcomer.get_by_label(re.compile("Password")).fill("a long enough password")
    newcomer.get_by_role("button", name=re.compile("Sign in")).click()
    newcomer.wait_for_url(re.compile("/app/products"))
