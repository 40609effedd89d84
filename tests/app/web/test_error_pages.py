"""A person in a browser meets errors as pages in their language (404, 413, 429 with when to
retry, 500 without internals); the API keeps answering problem+json."""

from __future__ import annotations

import re

import pytest

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.mark.parametrize(("lang", "title"), [("en", "Not found"), ("zh-Hans", "未找到"),
                                             ("zh-Hant", "未找到")])
def test_an_unknown_page_is_a_page_in_the_readers_language(client, lang, title):
    response = client.get(f"/app/no-such-page?lang={lang}")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert f"<h1>{title}</h1>" in response.text
    assert f'<html lang="{lang}">' in response.text


def test_a_browser_elsewhere_gets_a_page_and_the_api_keeps_json(client):
    page = client.get("/nowhere", headers=HTML)
    assert page.status_code == 404 and page.mimetype == "text/html"
    api = client.get("/api/v1/nowhere", headers=HTML)
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
    plain = client.get("/nowhere")
    assert plain.mimetype == "application/problem+json"


def test_too_many_requests_say_when_to_try_again(app, client):
    app.config["RATELIMIT_PUBLIC"] = "3 per minute"
    statuses = [client.get("/verify?lang=zh-Hant").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/verify")
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert "<h1>嘗試次數過多</h1>" in response.text
    seconds = int(re.search(r"請等待 (\d+) 秒", response.text).group(1))
    assert 1 <= seconds <= 61  # the rest of the one-minute window, rounded up
    assert response.headers["Retry-After"] == str(seconds)
    assert "{" not in response.text.split("<main", 1)[1].split("</main>")[0]  # no raw JSON


def test_sign_in_lock_out_is_a_page_too(app, client):
    page = client.get("/app/login?lang=en")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    for _ in range(30):
        response = client.post("/app/login", data={"email": "x@test.example",
                                                    "password": "wrong", "csrf_token": csrf})
        if response.status_code == 429:
            break
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) >= 1
    assert "try again in" in response.text


def test_an_unexpected_error_is_a_page_without_internals(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/app/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/app/boom?lang=en")
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "<h1>Something went wrong</h1>" in response.text
    assert "secret internal detail" not in response.text
    assert "try again later" in response.text
