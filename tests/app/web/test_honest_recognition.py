"""The public page calls an evaluation an evaluation: "recognised" (认可/認可) is said only
under a recognition agreement recorded in the scheme files, the label's own scheme visibly
passes or fails, and a revoked label leads with its state, date and reason and shows no
evaluation or tick at all."""

from __future__ import annotations

import re

import pytest

from lca_models.recognition import load_schemes
from tests.app.api.test_recognition import DECLARED, issue_with

RECOGNISED = {"en": re.compile(r"(?i)recogni[sz]"), "zh-Hans": re.compile("认可"),
              "zh-Hant": re.compile("認可")}
ENDORSEMENT = {"en": "an evaluation, not an endorsement by", "zh-Hans": "并非",
               "zh-Hant": "並非"}


def visible(html: str) -> str:
    """The page's text as a reader sees it: no head (styles), tags or link targets."""
    return re.sub(r"<[^>]+>", " ", html.split("<body>", 1)[1])


def test_no_scheme_file_records_a_mutual_recognition_with_the_home_scheme():
    """What makes the test below meaningful: nothing in the registry recognises gba-home."""
    schemes = load_schemes()
    assert not [a for s in schemes.values() for a in s.agreements
                if a.with_scheme == "gba-home" and a.status == "mutual_recognition"]


@pytest.mark.parametrize("lang", ["en", "zh-Hans", "zh-Hant"])
def test_an_evaluation_is_never_called_recognition(world, client, lang):
    label_id, _ = issue_with(world, DECLARED)
    page = client.get(f"/verify/{label_id}?lang={lang}")
    assert page.status_code == 200
    text = visible(page.text)
    assert ENDORSEMENT[lang] in text
    assert not RECOGNISED[lang].search(text), RECOGNISED[lang].search(text)
    # the matrix is folded away, so the summary fits a phone's first screen
    assert '<details class="matrix">' in page.text
    assert page.text.index("<dl>") < page.text.index('<details class="matrix">')
    # reasons are words, never raw codes such as STANDARD_NOT_ACCEPTED
    assert not re.search(r"\b[A-Z]{2,}_[A-Z_]{2,}\b", text), re.search(r"\b[A-Z]+_[A-Z_]+", text)


@pytest.mark.parametrize("declared", [DECLARED, None])
def test_the_home_scheme_passes_or_fails_visibly(world, client, declared):
    label_id, _ = issue_with(world, declared)
    engine = client.get(f"/api/v1/labels/{label_id}/recognition?scheme=gba-home").json[0]
    page = visible(client.get(f"/verify/{label_id}?lang=en").text)
    if engine["outcome"] == "not_recognised":
        assert "✘ Does not meet the published rules of its own scheme, GBA Carbon Label" in page
        assert "✔ Meets the published rules of its own scheme" not in page
    else:
        assert "✔ Meets the published rules of its own scheme, GBA Carbon Label" in page
    if declared is None:  # no standard declared: gba-home requires one, so this label fails
        assert engine["outcome"] == "not_recognised"
        assert "the standard followed is not accepted" in page


@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
def test_a_revoked_label_leads_with_its_state_date_and_reason(world, client, lang):
    label_id, _ = issue_with(world, DECLARED)
    reason = "Supplier meter readings were wrong"
    revoked = world["certifier_c"].post(f"/api/v1/labels/{label_id}/revocation",
                                        json={"reason": reason})
    assert revoked.status_code == 200, revoked.json
    html = client.get(f"/verify/{label_id}?lang={lang}").text
    first = html.index('<p class="status revoked">')
    assert first < html.index(reason) < html.index("<dl>")
    assert ("Revoked on" if lang == "en" else "已於") in html[first:html.index("<dl>")]
    today = re.search(r"\d{4}-\d{2}-\d{2}", html[first:html.index("<dl>")])
    assert today, "the revocation date is shown before the details"
    body = html.split("<body>", 1)[1]
    assert 'class="ok"' not in body and "✔" not in body
    assert "published rules" not in html and "公布的規則" not in html
