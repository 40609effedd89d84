"""The official PACT v3 conformance cases, one test per case marked "Mandatory: V3.0" in
`../shared/standards/pact-v3/conformance/v3-test-cases-expected-results.md`, each driving
the real HTTP endpoints (Flask's test client for our host; real sockets for the data
recipient). This module has the token, footprint and filter cases; the event cases
(TC12-TC17) are in test_events.py. Each test is named after its case (`test_tc14a_…` for
"#14.A") and its docstring quotes what the case expects; `test_every_mandatory_case_has_a_test`
reads the file and fails when a mandatory case has no test.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.app.api.pact_conformance.support import (
    CREATED,
    HTTPS,
    PUBLISHED,
    has_data,
    list_footprints,
    outbox,
    post_event,
    token,
    validate_footprints,
)
from tests.app.api.pact_support import CONFORMANCE_CASES
from tests.app.api.test_labels import issue

# --- the md file names every mandatory case ------------------------------------------------

def mandatory_case_ids(markdown: str) -> list[str]:
    """Case ids ("1", "14.A", …) whose section says `_Mandatory: V3.0_`."""
    ids = []
    for section in re.split(r"^## ", markdown, flags=re.M)[1:]:
        heading = re.match(r"Test Case #([0-9]+(?:\.[A-Z])?):", section)
        mandatory = re.search(r"^_Mandatory:(.*)_$", section, re.M)
        versions = {v.strip() for v in mandatory.group(1).split(",")} if mandatory else set()
        if heading and "V3.0" in versions:
            ids.append(heading.group(1))
    return ids


def test_every_mandatory_case_has_a_test():
    """Every case the official file marks Mandatory for V3.0 has a test named after it, in
    this module or in test_events.py."""
    if not CONFORMANCE_CASES.is_file():
        pytest.skip(f"no PACT conformance cases at {CONFORMANCE_CASES}")
    ids = mandatory_case_ids(CONFORMANCE_CASES.read_text("utf-8"))
    assert len(ids) == 39 and "14.A" in ids and "18" not in ids  # 18 and 19: Mandatory None
    here = Path(__file__).parent
    names = [n for module in ("test_cases.py", "test_events.py")
             for n in re.findall(r"^(?:def )?(test_tc\w+)", (here / module).read_text("utf-8"),
                                 re.M)]
    missing = [i for i in ids if not any(
        n.startswith(f"test_tc{i.lower().replace('.', '')}_") for n in names)]
    assert missing == []


# --- authentication -------------------------------------------------------------------------

def test_tc1_obtain_auth_token_with_valid_credentials(client, pact):
    """TC1: POST {AUTH_BASE_URL}/auth/token, grant_type=client_credentials, Basic
    credentials: "Expected http status code: 200" with access_token, token_type, expires_in."""
    response = token(client, pact["client_id"], pact["secret"])
    assert response.status_code == 200
    body = response.json
    assert body["access_token"] and body["token_type"].lower() == "bearer"
    assert body["expires_in"] == 3600


def test_tc2_obtain_auth_token_with_invalid_credentials(client, pact):
    """TC2: invalid Basic credentials: "Expected http status code: 400 or 401", body
    {"error": "invalid_client", ...}."""
    response = token(client, pact["client_id"], "not-the-secret")
    assert response.status_code in (400, 401) and response.json["error"] == "invalid_client"
    unknown = token(client, "pact-nobody", pact["secret"])
    assert unknown.status_code in (400, 401) and "access_token" not in unknown.json


def test_tc3_get_pcf_using_getfootprint(client, pact):
    """TC3: GET /3/footprints/{footprint_id}: "Expected http status code: 200" with
    {"data": <the ProductFootprint with that id>}."""
    pf_id = pact["pf"]["id"]
    response = client.get(f"/3/footprints/{pf_id}", base_url=HTTPS, headers=pact["headers"])
    assert response.status_code == 200 and response.json["data"]["id"] == pf_id
    assert pact["label"]["id"] in json.dumps(response.json["data"])
    validate_footprints([response.json["data"]])


def test_tc4_get_all_pcfs_using_listfootprints(client, pact, world):
    """TC4: GET /3/footprints: "Expected http status code: 200 or 202", {"data": [...]}
    with every footprint the recipient may read."""
    issue(world)
    response = list_footprints(client, pact)
    assert response.status_code in (200, 202)
    data = response.json["data"]
    assert len(data) == 2 and len({pf["id"] for pf in data}) == 2
    validate_footprints(data)


def test_tc5_pagination_link_implementation_of_action_listfootprints(client, pact, world):
    """TC5: GET /3/footprints?offset=2 "or pagination URL from response links": "Expected
    http status code: 200" (the spec: an absolute `Link: <…>; rel="next"` on the request's
    host while more footprints remain, none on the last page)."""
    issue(world)
    issue(world)
    first = list_footprints(client, pact, "?limit=2")
    assert first.status_code == 200 and len(first.json["data"]) == 2
    link = re.fullmatch(r'<(https://localhost/3/footprints\?[^>]+)>; rel="next"',
                        first.headers["Link"])
    assert link and "offset=2" in link.group(1) and "limit=2" in link.group(1)
    second = client.get(link.group(1).removeprefix(HTTPS), base_url=HTTPS,
                        headers=pact["headers"])
    assert second.status_code == 200 and len(second.json["data"]) == 1
    assert "Link" not in second.headers
    ids = {pf["id"] for pf in first.json["data"] + second.json["data"]}
    assert len(ids) == 3
    by_offset = list_footprints(client, pact, "?offset=2")
    assert by_offset.status_code == 200 and by_offset.json == second.json


def test_tc6_attempt_listfootprints_with_invalidtoken(client, pact):
    """TC6: GET /3/footprints with "authorization: Bearer invalid-access-token": "Expected
    http status codes: 400, 401 (Mandatory)", recommended body {"code": "BadRequest",
    "message": "Invalid token provided"}."""
    response = client.get("/3/footprints", base_url=HTTPS,
                          headers={"Authorization": "Bearer invalid-access-token"})
    assert response.status_code == 401
    assert response.json == {"code": "BadRequest", "message": "Invalid token provided"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_tc7_attempt_getfootprint_with_invalidtoken(client, pact):
    """TC7: GET /3/footprints/{footprint_id} with an invalid bearer token: "Expected http
    status codes: 400, 401 (Mandatory)", recommended body code BadRequest."""
    response = client.get(f"/3/footprints/{pact['pf']['id']}", base_url=HTTPS,
                          headers={"Authorization": "Bearer invalid-access-token"})
    assert response.status_code == 401 and response.json["code"] == "BadRequest"
    assert "data" not in response.json


def test_tc8_attempt_getfootprint_with_non_existent_pfid(client, pact):
    """TC8: GET /3/footprints/non-existent-id: "Expected http status code: 400, 404", body
    {"code": "NotFound", ...}."""
    for pf_id in ("non-existent-id", "0b6f4c0e-1111-4a8e-9d7c-000000000000"):
        response = client.get(f"/3/footprints/{pf_id}", base_url=HTTPS,
                              headers=pact["headers"])
        assert response.status_code == 404 and response.json["code"] == "NotFound"


def test_tc9_attempt_authentication_through_http_non_https(client, pact):
    """TC9: POST http://{AUTH_BASE_URL}/auth/token: "Connection should be rejected or
    response should not include authentication tokens"."""
    response = token(client, pact["client_id"], pact["secret"], base_url="http://localhost")
    assert response.status_code == 403 and not has_data(response)


def test_tc10_attempt_listfootprints_through_http_non_https(client, pact):
    """TC10: GET http://{API_BASE_URL}/3/footprints: "Connection should be rejected or
    response should not include data property"."""
    response = client.get("/3/footprints", base_url="http://localhost", headers=pact["headers"])
    assert response.status_code == 403 and not has_data(response)


def test_tc11_attempt_getfootprint_through_http_non_https(client, pact):
    """TC11: GET http://{API_BASE_URL}/3/footprints/{footprint_id}: "Connection should be
    rejected or response should not include data property"."""
    response = client.get(f"/3/footprints/{pact['pf']['id']}", base_url="http://localhost",
                          headers=pact["headers"])
    assert response.status_code == 403 and not has_data(response)


# --- filters --------------------------------------------------------------------------------

def _only(client, pact, query: str) -> list[dict[str, Any]]:
    response = list_footprints(client, pact, query)
    assert response.status_code == 200, response.json
    return response.json["data"]


def test_tc20_filter_by_productid(client, pact):
    """TC20: GET /3/footprints?productId=urn:gtin:…: "Expected http status code: 200",
    the footprints whose productIds contain it."""
    product = pact["pf"]["productIds"][0]
    assert [pf["id"] for pf in _only(client, pact, f"?productId={product}")] == [pact["pf"]["id"]]


def test_tc21_filter_by_companyid(client, pact):
    """TC21: GET /3/footprints?companyId=urn:…: "Expected http status code: 200", the
    footprints whose companyIds contain it."""
    company = pact["pf"]["companyIds"][0]
    data = _only(client, pact, f"?companyId={company}")
    assert data and all(company in pf["companyIds"] for pf in data)


def test_tc22_filter_by_geography(client, pact):
    """TC22: GET /3/footprints?geography=DE: "Expected http status code: 200", the
    footprints in that geography (ours are in Guangdong, CN-GD, which is within CN)."""
    pcf = pact["pf"]["pcf"]
    place = pcf.get("geographyCountrySubdivision") or pcf["geographyCountry"]
    for value in (place, place.split("-")[0]):
        assert [pf["id"] for pf in _only(client, pact, f"?geography={value}")] == [
            pact["pf"]["id"]]


def test_tc23_filter_by_classification(client, pact):
    """TC23: GET /3/footprints?classification=urn:…: "Expected http status code: 200",
    the footprints with that productClassification."""
    classes = pact["pf"]["productClassifications"]
    assert classes
    data = _only(client, pact, f"?classification={quote(classes[0])}")
    assert [pf["id"] for pf in data] == [pact["pf"]["id"]]


def test_tc24_filter_by_validon(client, pact):
    """TC24: GET /3/footprints?validOn=<date-time>: "Expected http status code: 200", the
    footprints with validityPeriodStart <= validOn <= validityPeriodEnd."""
    start = pact["pf"]["validityPeriodStart"]
    assert [pf["id"] for pf in _only(client, pact, f"?validOn={start}")] == [pact["pf"]["id"]]


def _shift(moment: str, days: int) -> str:
    when = datetime.fromisoformat(moment.replace("Z", "+00:00")) + timedelta(days=days)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_tc25_filter_by_validafter(client, pact):
    """TC25: GET /3/footprints?validAfter=<date-time>: "Expected http status code: 200",
    the footprints whose validity starts after it (one day before ours starts)."""
    after = _shift(pact["pf"]["validityPeriodStart"], -1)
    assert [pf["id"] for pf in _only(client, pact, f"?validAfter={after}")] == [pact["pf"]["id"]]


def test_tc26_filter_by_validbefore(client, pact):
    """TC26: GET /3/footprints?validBefore=<date-time>: "Expected http status code: 200",
    the footprints whose validity ends before it (one day after ours ends)."""
    before = _shift(pact["pf"]["validityPeriodEnd"], 1)
    assert [pf["id"] for pf in _only(client, pact, f"?validBefore={before}")] == [
        pact["pf"]["id"]]


def test_tc27_filter_by_status(client, pact):
    """TC27: GET /3/footprints?status=Active: "Expected http status code: 200", only
    Active footprints."""
    data = _only(client, pact, "?status=Active")
    assert [pf["id"] for pf in data] == [pact["pf"]["id"]] and data[0]["status"] == "Active"
    assert _only(client, pact, "?status=Deprecated") == []


def test_tc28_filter_by_status_and_productid(client, pact):
    """TC28: GET /3/footprints?status=Active&productId=…: "Expected http status code: 200",
    footprints matching both."""
    product = pact["pf"]["productIds"][0]
    data = _only(client, pact, f"?status=Active&productId={product}")
    assert [pf["id"] for pf in data] == [pact["pf"]["id"]]


def test_tc29_filter_by_companyid_or_logic(client, pact):
    """TC29: GET /3/footprints?companyId=<ours>&companyId=urn:uuid:other-company&
    companyId=urn:uuid:another-company: "Expected http status code: 200", values of one
    criterion OR-ed."""
    company = pact["pf"]["companyIds"][0]
    data = _only(client, pact, f"?companyId={company}&companyId=urn:uuid:other-company"
                 "&companyId=urn:uuid:another-company")
    assert [pf["id"] for pf in data] == [pact["pf"]["id"]]


def _negative(client, pact, case, query):
    """The negative filter cases TC30-TC39: "Expected http status code: 200" with
    {"data": []}, while the unfiltered list is not empty."""
    assert _only(client, pact, "") != []
    response = list_footprints(client, pact, query)
    assert response.status_code == 200, case
    assert response.json == {"data": []}, case


def _negative_case(case: str, query: str, title: str):
    def test(client, pact):
        _negative(client, pact, case, query)
    test.__doc__ = f"{case}: {title} (negative): GET /3/footprints{query}: \"Expected http " \
                   "status code: 200\" with {\"data\": []}."
    return test


test_tc30_filter_by_productid_negative = _negative_case(
    "TC30", "?productId=urn:bogus:product:nonexistent123", "productId")
test_tc31_filter_by_companyid_negative = _negative_case(
    "TC31", "?companyId=urn:bogus:company:nonexistent456", "companyId")
test_tc32_filter_by_geography_negative = _negative_case("TC32", "?geography=XX", "geography")
test_tc33_filter_by_classification_negative = _negative_case(
    "TC33", "?classification=urn:bogus:classification:nonexistent789", "classification")
test_tc34_filter_by_validon_negative = _negative_case(
    "TC34", "?validOn=1900-01-01T00:00:00Z", "validOn")
test_tc35_filter_by_validafter_negative = _negative_case(
    "TC35", "?validAfter=2099-12-31T23:59:59Z", "validAfter")
test_tc36_filter_by_validbefore_negative = _negative_case(
    "TC36", "?validBefore=1900-01-01T00:00:00Z", "validBefore")
test_tc37_filter_by_status_negative = _negative_case(
    "TC37", "?status=BogusStatusValue", "status")
test_tc38_filter_and_logic_negative = _negative_case(
    "TC38", "?companyId=urn:bogus:company:5FIi8zS3&productId=urn:bogus:product:nonexistent123",
    "companyId AND productId")
test_tc39_filter_or_logic_negative = _negative_case(
    "TC39", "?companyId=urn:bogus:company:nonexistent1&companyId=urn:bogus:company:"
    "nonexistent2&companyId=urn:bogus:company:nonexistent3", "companyId OR companyId")


def test_tc40_failed_published_event_malformed_request(client, app, pact):
    """TC40, "Failed to Receive Notification of PCF Update (Published Event) - Malformed
    Request": "a malformed request can't be sent (pfId can't be an URN, but a UUID)",
    "Expected http status code: 400". The md's request is `GET /3/footprints?$filter=…`
    (v2's OData filter, deprecated in v3); the conformance service POSTs a PublishedEvent
    whose pfIds holds a URN. Both, and other malformed events, answer 400 BadRequest."""
    odata = list_footprints(client, pact, "?$filter=created ge '2023-01-15T10:15:30Z'")
    assert odata.status_code == 400 and odata.json["code"] == "BadRequest"
    assert "$filter" in odata.json["message"] and "data" not in odata.json
    good = {"type": PUBLISHED, "specversion": "1.0", "id": "e-40",
            "source": "https://webhook.example.com", "time": "2023-05-19T11:30:00Z",
            "data": {"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}}
    malformed = [
        {**good, "data": {"pfIds": ["urn:gtin:4712345060507"]}},
        {**good, "data": {"pfIds": "3a6c14a7-4deb-498a-b5ea-16ce2535b576"}},
        {**good, "data": {"pfIds": []}},
        {key: value for key, value in good.items() if key != "data"},
        {**good, "data": "pfIds"},
        {key: value for key, value in good.items() if key != "time"},
        {**good, "time": "yesterday"},
        {**good, "specversion": "0.3"},
        {**good, "type": "org.wbcsd.pact.ProductFootprint.Unknown.3"},
        {**good, "type": "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
         "data": {"requestEventId": "r", "pfs": []}},
        {**good, "type": "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3",
         "data": {"requestEventId": "r", "error": {"code": "Nope", "message": "x"}}},
        {**good, "type": CREATED, "data": {"productId": [1]}},
        {**good, "type": CREATED, "data": {"pf": {"productIds": ["urn:x"]}}},
    ]
    for event in malformed:
        response = post_event(client, pact["headers"], event)
        assert response.status_code == 400, event
        assert response.json["code"] == "BadRequest" and response.json["message"], event
    not_json = client.post("/3/events", base_url=HTTPS, data="{", headers=pact["headers"])
    assert not_json.status_code == 400
    assert post_event(client, pact["headers"], good).status_code == 200
    assert outbox(app) == []


@pytest.mark.parametrize("limit", ["0", "-1", "1.5", "abc", "1" * 12, "2&limit=3"])
def test_limit_zero_or_invalid_never_links_to_itself(client, pact, world, limit):
    """limit=0 (valid in the spec's schema) is an empty page with no next link, which
    would point at the same page forever; invalid limits are 400 BadRequest."""
    issue(world)
    response = list_footprints(client, pact, f"?limit={limit}")
    if limit == "0":
        assert response.status_code == 200 and response.json == {"data": []}
        assert "Link" not in response.headers
    else:
        assert response.status_code == 400 and response.json["code"] == "BadRequest"


def test_criteria_names_ignore_case(client, pact):
    """The spec's own example writes `productid` and `validon`."""
    product, start = pact["pf"]["productIds"][0], pact["pf"]["validityPeriodStart"]
    data = _only(client, pact, f"?productid={product}&VALIDON={start}")
    assert [pf["id"] for pf in data] == [pact["pf"]["id"]]
