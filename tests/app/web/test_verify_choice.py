"""The public page's language, zone and canonical query are looked up by the request's raw
inputs (app/web/verify.py, `_choice`): a repeat scan parses nothing. What the lookup must
never do is hand one visitor another's choice: a signed-in user's language lives on the user,
not in the request, and the configured zone belongs to the app."""

from __future__ import annotations

from app.web import verify
from tests.app.api.test_labels import issue
from tests.app.web.test_pages import sign_in

PAGE = "/verify/{}"


def _lang(page) -> str:
    return page.text.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_signed_in_users_language_is_read_from_the_user_each_time(app, world):
    label, _ = issue(world)
    office = sign_in(app, "certifier_c", lang="en")
    url = PAGE.format(label["id"])
    assert _lang(office.get(url)) == "en"
    phone = sign_in(app, "certifier_c", lang="en")
    phone.get("/app/queue?lang=zh-Hant")  # kept on the user
    # the office browser sends the very same request as before (same cookies, same query)
    assert _lang(office.get(url)) == "zh-Hant"


def test_the_same_inputs_reuse_one_choice_and_others_do_not(app, world):
    label, _ = issue(world)
    client = app.test_client()
    url = PAGE.format(label["id"])
    verify._CHOICES.clear()
    assert _lang(client.get(url, headers={"Accept-Language": "zh-HK"})) == "zh-Hant"
    assert _lang(client.get(url, headers={"Accept-Language": "zh-HK"})) == "zh-Hant"
    assert len(verify._CHOICES) == 1
    assert _lang(client.get(url, headers={"Accept-Language": "en"})) == "en"
    assert _lang(client.get(url + "?lang=zh-Hans", headers={"Accept-Language": "en"})
                 ) == "zh-Hans"
    client.set_cookie("lang", "en")  # the cookie set by ?lang= above is replaced
    assert _lang(client.get(url, headers={"Accept-Language": "zh-HK"})) == "en"
    assert len(verify._CHOICES) == 4


def test_a_non_canonical_query_still_redirects_when_its_choice_is_kept(app, world):
    label, _ = issue(world)
    client = app.test_client()
    url = PAGE.format(label["id"])
    for _ in range(2):
        answer = client.get(url + "?x=1&lang=en")
        assert answer.status_code == 302
        assert answer.headers["Location"].endswith(f"{url}?lang=en")


def test_the_configured_zone_is_part_of_the_key(app, world):
    label, _ = issue(world)
    url = PAGE.format(label["id"])
    assert "Asia/Hong_Kong (UTC+08:00)" in app.test_client().get(url).text
    app.config["DISPLAY_TIMEZONE"] = "Europe/London"
    assert "Europe/London (UTC" in app.test_client().get(url).text


def test_the_kept_choices_are_bounded(app, world, monkeypatch):
    label, _ = issue(world)
    client = app.test_client()
    monkeypatch.setattr(verify, "CHOICES_KEPT", 3)
    verify._CHOICES.clear()
    for n in range(10):
        client.get(PAGE.format(label["id"]), headers={"Accept-Language": f"en;q=0.{n}"})
        assert len(verify._CHOICES) <= 3
