"""Provenance of every shipped factor row: publisher, document, table or page, URL, licence
and year; and either the URL is the publisher's own (a primary source) or the row's notes
say it was read from a secondary copy. Every shipped release is checked. Release 2026.1
has eight rows that do neither; they are listed here by id (and in docs/factors.md), and
2026.2, which states their provenance, must have none."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from lca_models.factors import load_release, shipped_versions
from lca_models.provenance import on_publisher_host, states_secondary

# Rows of 2026.1 whose URL is a news page but whose notes do not say so: the MEE/NBS/NEA
# electricity carbon-footprint factors. 2026.1 cannot change (results name its hash);
# release 2026.2 states it in their notes.
KNOWN_UNSTATED = {
    "electricity.cn.carbon-footprint.2023", "electricity.cn.carbon-footprint.2024",
    "electricity.cn.biomass.carbon-footprint.2023", "electricity.cn.solar-pv.carbon-footprint.2023",
    "electricity.cn.wind.carbon-footprint.2023",
    "electricity.cn.transmission-distribution-excl-losses.carbon-footprint.2023",
    "electricity.cn.transmission-distribution-excl-losses.carbon-footprint.2024",
    "electricity.cn.transmission-distribution-incl-losses.carbon-footprint.2024",
}


@pytest.fixture(params=shipped_versions())
def shipped(request):
    return load_release(version=request.param)


def test_every_shipped_row_names_publisher_document_table_url_licence_and_year(shipped):
    for row in shipped.rows:
        for column in ("source_publisher", "source_document", "source_table", "licence"):
            assert str(row.get(column) or "").strip(), (row["id"], column)
        assert urlparse(str(row["source_url"])).scheme in ("http", "https"), row["id"]
        assert 1990 <= int(row["reference_year"]) <= 2026, row["id"]


def test_every_shipped_row_is_primary_or_says_it_is_a_secondary_copy(shipped):
    unstated = {row["id"] for row in shipped.rows
                if not on_publisher_host(row) and not states_secondary(row)}
    known = KNOWN_UNSTATED if shipped.version == "2026.1" else set()
    assert unstated == known, (sorted(unstated - known), sorted(known - unstated))
    hosts = {urlparse(str(row["source_url"])).netloc for row in shipped.rows
             if row["id"] in unstated}
    assert hosts <= {"nengy.net", "www.zhb.org.cn"}, hosts


@pytest.mark.parametrize(("publisher", "url", "notes", "primary", "stated"), [
    ("UK DESNZ", "https://www.gov.uk/x", "", True, False),
    ("Ministry of Ecology and Environment (MEE)", "https://daydaynews.cc/x",
     "confirmed from secondary reprint", False, True),
    ("Ministry of Ecology and Environment (MEE)", "https://www.163.com/x", "", False, False),
    ("MEE", "https://www.mee.gov.cn.evil.example/x", "", False, False),
])
def test_the_check_tells_primary_from_secondary(publisher, url, notes, primary, stated):
    row = {"source_publisher": publisher, "source_url": url, "source_document": "d",
           "notes": notes}
    assert on_publisher_host(row) is primary
    assert states_secondary(row) is stated
