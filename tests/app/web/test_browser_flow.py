"""The whole certification story in a real browser (Debian Chromium via Playwright):

an exporter creates a product, uploads and calculates a model and requests a label; the
certifier comments on a model path and asks for changes; the exporter answers, searches the
emission factors and revises the model in the form editor (no YAML: a mistyped factor id comes
back next to its field with the likely fix), and resubmits; the certifier approves after a
confirmation page showing the label against its own scheme; a Hong Kong visitor follows the QR
code on a phone and sees the label verified in Traditional Chinese, the summary on the first
screen and the evaluation against schemes' published rules folded away.
Screenshots of every step are kept under test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import segno

from app import clock
from tests.app.web.conftest import CHROMIUM

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "models" / "eaf_rebar.yaml"
PASSWORD = "correct horse battery"  # of every user in `world`


def sign_in(context, base: str, who: str):
    page = context.new_page()
    page.goto(f"{base}/app/login")
    page.get_by_label(re.compile("Email|邮箱")).fill(f"{who}@test.example")
    page.get_by_label(re.compile("Password|密码")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in|登录")).click()
    return page


UNLABELLED = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea')].filter(
    el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map(el => el.name)"""


LOW_CONTRAST = """() => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => (v /= 255) <= 0.03928 ? v / 12.92
      : Math.pow((v + 0.055) / 1.055, 2.4))
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ground = el => { for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
  return [...document.querySelectorAll('a, button, label, p, td, th, h1, h2, li')]
    .filter(el => el.offsetParent && el.innerText.trim()
                  && getComputedStyle(el).visibility === 'visible'
                  && !el.closest('.visually-hidden, .skip'))
    .map(el => { const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(ground(el))];
                 return [el.tagName + ' ' + el.innerText.trim().slice(0, 30),
                         (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]; })
    .filter(([, ratio]) => ratio < 4.5).map(([what, ratio]) => what + ' ' + ratio.toFixed(2));
}"""


def assert_accessible(page) -> None:
    """What a screen-reader user needs on every page: a language, one h1, a name for every
    form control and image, and a way past the navigation."""
    # a click that navigates returns before the new document is parsed; wait for it, or
    # documentElement can be null for a moment (a CI run failed exactly so)
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") in ("zh-Hans", "zh-Hant", "en")
    assert page.locator("h1").count() == 1
    assert page.evaluate(UNLABELLED) == []
    assert page.locator("img:not([alt])").count() == 0
    assert page.locator("svg.chart:not([aria-label])").count() == 0
    assert page.evaluate(LOW_CONTRAST) == []  # WCAG AA for text against its background
    if page.locator("header.top").count():
        assert page.locator("a.skip[href='#main']").count() == 1


def test_exporter_certifier_and_visitor(world, live_server, browser, shots):
    assert Path(CHROMIUM).exists()
    phone = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}
    desktop = {"viewport": {"width": 1280, "height": 900}}
    exporter_ctx = browser.new_context(locale="zh-CN", **desktop)
    certifier_ctx = browser.new_context(locale="en-GB", **desktop)
    visitor_ctx = browser.new_context(locale="zh-HK", **phone)

    # Exporter (Chinese pages): product, model, calculation, request.
    exp = sign_in(exporter_ctx, live_server, "exporter_a")
    assert exp.url.endswith("/app/products")
    exp.get_by_label("英文名称").fill("Rebar B500B")
    exp.get_by_label("中文名称").fill("螺纹钢")
    exp.get_by_label("HS 编码").fill("721420")
    exp.get_by_role("button", name="创建产品").click()
    exp.get_by_text("产品已创建。").wait_for()
    product_url = exp.url
    exp.get_by_label("模型文件").set_input_files(str(EXAMPLE))
    exp.get_by_role("button", name="保存新版本").click()
    exp.get_by_text("已保存模型第 1 版。").wait_for()
    exp.get_by_role("button", name="计算").click()
    exp.get_by_role("heading", name=re.compile("碳足迹")).wait_for()
    first_total = exp.locator(".big").inner_text()
    assert_accessible(exp)
    assert float(first_total) > 0
    exp.screenshot(path=shots / "1-exporter-result.png", full_page=True)
    exp.screenshot(path=shots / "readme-exporter.png")  # the viewport, for README
    exp.get_by_role("button", name="申请标签").click()
    exp.get_by_text("标签申请已创建。").wait_for()
    assert "已提交" in exp.locator("main").inner_text()
    request_url = exp.url

    # Certifier (English): queue, start review, comment on a model path, ask for changes.
    cert = sign_in(certifier_ctx, live_server, "certifier_c")
    assert cert.url.endswith("/app/queue")
    cert.get_by_role("link", name=re.compile("Rebar B500B")).click()
    cert.wait_for_url(re.compile(r"/app/requests/"))
    assert_accessible(cert)
    cert.get_by_role("button", name="Start review").click()
    cert.get_by_text("Review started.").wait_for()
    path = cert.locator("#path option").nth(1).get_attribute("value")
    cert.get_by_label("Model path it is about").select_option(path)
    cert.get_by_label("Comment", exact=True).fill("Which meter gives this amount?")
    cert.get_by_role("button", name="Post comment").click()
    cert.get_by_text("Comment posted.").wait_for()
    cert.get_by_label(re.compile("^Reason")).fill("Please document the metering.")
    cert.get_by_role("button", name="Request changes").click()
    cert.get_by_text("Changes requested.").wait_for()
    assert_accessible(cert)
    inline = cert.locator("tr.inline-comment").inner_text()  # shown at the input it is about
    assert "Which meter gives this amount?" in inline
    cert.screenshot(path=shots / "2-certifier-review.png", full_page=True)

    # Exporter: answers, uploads a revised model, calculates it and resubmits.
    exp.goto(request_url)
    assert "Which meter gives this amount?" in exp.locator("#comments").inner_text()
    assert path in exp.locator("#comments").inner_text()
    assert_accessible(exp)
    exp.get_by_label("回复此意见").fill("Sub-meter M-3, calibrated 2024-03.")
    exp.get_by_role("button", name="发送回复").click()
    exp.get_by_text("评论已发布。").wait_for()
    # ... finds the grid factor in the factor browser, then edits in the form, no YAML:
    exp.goto(f"{live_server}/app/factors")
    exp.get_by_label("搜索（编号、名称或来源）").fill("south grid")
    exp.get_by_role("button", name="搜索", exact=True).click()
    assert "electricity.cn-south-grid.co2.2022" in exp.locator("main table").inner_text()
    assert_accessible(exp)
    exp.screenshot(path=shots / "3a-exporter-factors.png", full_page=True)
    exp.goto(product_url)
    exp.get_by_role("link", name="第 1 版", exact=True).click()
    exp.get_by_role("link", name="用表单编辑（无需 YAML）").click()
    amount = exp.locator('input[value="eaf_kwh_per_t"]')  # the meltshop's electricity
    base = amount.get_attribute("name").removesuffix(".amount")
    factor = exp.locator(f'[name="{base}.ref"]')
    assert factor.input_value() == "electricity.cn-south-grid.co2.2022"
    factor.fill("electricity.cn-south-gird.co2.2022")  # a typo first
    amount.fill("380")
    exp.get_by_role("button", name="另存为新版本").click()
    error = exp.locator(f'[id="{base}.ref-error"]')
    # in the page's language (简体), the ids as written
    assert "是否指 'electricity.cn-south-grid.co2.2022'" in error.inner_text()
    assert exp.locator(f'[name="{base}.ref"]').input_value().endswith("gird.co2.2022")
    assert exp.locator(f'[name="{base}.amount"]').input_value() == "380"  # kept as typed
    assert_accessible(exp)
    exp.screenshot(path=shots / "3b-exporter-form-error.png", full_page=True)
    error.scroll_into_view_if_needed()
    exp.screenshot(path=shots / "readme-form.png")  # the viewport at the error, for README
    exp.locator(f'[name="{base}.ref"]').fill("electricity.cn-south-grid.co2.2022")
    exp.get_by_role("button", name="另存为新版本").click()
    exp.get_by_text("已保存模型第 2 版。").wait_for()
    exp.get_by_role("button", name="计算").click()
    exp.locator(".big").wait_for()
    assert float(exp.locator(".big").inner_text()) < float(first_total)  # less electricity
    exp.goto(request_url)
    exp.get_by_role("button", name="重新提交").click()
    exp.get_by_text("已重新提交。").wait_for()
    exp.screenshot(path=shots / "3-exporter-request.png", full_page=True)

    # Certifier: sees the answer and the diff, approves; the label is issued.
    cert.reload()
    body = cert.locator("main").inner_text()
    assert "Sub-meter M-3" in body
    assert "eaf_kwh_per_t" in cert.locator("#diff-h + p + .table-wrap, #diff-h ~ .table-wrap"
                                            ).first.inner_text()
    valid_until = (clock.today() + timedelta(days=300)).isoformat()
    cert.get_by_label(re.compile("Valid until")).fill(valid_until)
    cert.get_by_role("button", name="Approve…").click()
    cert.get_by_role("heading", name="Approve and issue the label?").wait_for()
    assert "published rules of its own scheme" in cert.locator("main").inner_text()
    assert_accessible(cert)
    cert.screenshot(path=shots / "4-certifier-confirm.png", full_page=True)
    assert cert.get_by_label(re.compile("Valid until")).input_value() == valid_until
    cert.get_by_role("button", name="Approve and issue the label").click()
    cert.get_by_text("Approved; the label is issued.").wait_for()
    heading = cert.get_by_role("heading", name=re.compile("Issued label")).inner_text()
    label_id = re.search(r"GBA-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=U]", heading).group(0)
    cert.screenshot(path=shots / "4-certifier-approved.png", full_page=True)
    cert.screenshot(path=shots / "readme-certifier.png")

    # The QR code served for the label encodes the verification URL (same matrix as segno's).
    target = f"{live_server}/verify/{label_id}"
    served = visitor_ctx.request.get(f"{live_server}/api/v1/labels/{label_id}/qr.svg").body()
    expected = segno.make(target, error="m")
    assert _modules(served) == _modules(expected.svg_inline(scale=4, border=4).encode())

    # An anonymous visitor on a phone follows it.
    visitor = visitor_ctx.new_page()
    visitor.goto(target)
    assert visitor.evaluate("document.documentElement.lang") == "zh-Hant"
    text = visitor.locator("body").inner_text()
    assert "有效" in text and label_id in text
    assert "螺纹钢" in text and "Rebar B500B" in text  # the product's name as the exporter typed it
    assert "碳標籤驗證" in text and "碳标签验证" not in text  # Traditional, not Simplified
    assert "公佈的規則" in text and "認可" not in text  # an evaluation, never "recognised"
    assert not visitor.locator("details.matrix").evaluate("d => d.open")  # folded away
    assert visitor.locator("p.status").bounding_box()["y"] < 844  # the summary on screen one
    summary = visitor.locator("dl").bounding_box()
    assert summary["y"] + summary["height"] <= 844, summary
    assert_accessible(visitor)
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    visitor.screenshot(path=shots / "5-visitor-verify-phone.png", full_page=True)
    visitor.screenshot(path=shots / "readme-public.png")

    for ctx in (exporter_ctx, certifier_ctx, visitor_ctx):
        ctx.close()


def _modules(svg: bytes) -> str:
    """The QR's dark modules as drawn (the path data), whatever the SVG's wrapper."""
    return re.search(rb' d="([^"]+)"', svg).group(1).decode()
