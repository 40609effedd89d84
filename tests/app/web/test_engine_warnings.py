"""Engine warnings reach the people who read the result: the exporter's calculation page and
the certifier's review (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.app.flows import act, calculate, create_product, draft_request, upload
from tests.app.web.test_pages import sign_in
from tests.lca_models.test_uncertainty import loop_model


def test_nearly_singular_loop_is_shown_on_the_calculation_page_and_in_review(app, world):
    owner = world["exporter_a"]
    product = create_product(owner)
    version = upload(owner, product["id"], loop_model(0.0, amount_b=1.0, amount_a=1 - 1e-13))
    calc = calculate(owner, version["id"])
    warning = next(w for w in calc["result"]["warnings"] if "nearly singular" in w)
    assert "'a', 'b'" in warning
    page = sign_in(app, "exporter_a").get(f"/app/calculations/{calc['id']}").text
    assert "nearly singular" in page and "&#39;a&#39;, &#39;b&#39;" in page

    request, etag = draft_request(owner, calc["id"], world["ids"]["cb_c"])
    assert act(owner, request["id"], "submit", etag).status_code == 200
    review = sign_in(app, "certifier_c").get(f"/app/requests/{request['id']}").text
    assert "nearly singular" in review and "4.0e+13" in review


def test_rejected_monte_carlo_draws_are_shown(app, world):
    owner = world["exporter_a"]
    product = create_product(owner)
    version = upload(owner, product["id"], loop_model(0.3))
    calc = calculate(owner, version["id"], monte_carlo=200, seed=2)
    rejected = calc["result"]["monte_carlo"]["rejected"]
    assert 0 < rejected < 100  # about 36 % of 200 (see test_uncertainty)
    page = sign_in(app, "exporter_a").get(f"/app/calculations/{calc['id']}").text
    assert f"{rejected} draws described an infeasible system" in page
