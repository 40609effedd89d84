"""The impact report as CSV and XLSX: one row per label, numbers as numbers, text through
the project's inert-cell writer (lca_models.inert) so an error message or id can never run
as a formula."""

from __future__ import annotations

import csv
import io
from typing import Any

from app.persistence import ImpactEntry, Job
from lca_models.inert import inert_value as inert
from lca_models.inert import new_workbook

HEADER = ("label_id", "calculation_id", "old_kg_co2e", "new_kg_co2e", "change_percent",
          "recertification_recommended", "drivers", "error")


def rows(job: Job, entries: list[ImpactEntry]) -> list[tuple[Any, ...]]:
    return [(e.label_id, e.calculation_id, e.old_kg, e.new_kg, e.change_percent,
             "yes" if e.flagged else "no",
             "; ".join(f"{d['factor_id']} {d['delta_kg']:+.6g} kg" for d in e.drivers),
             e.error or "") for e in entries]


def to_csv(job: Job, entries: list[ImpactEntry]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows(job, entries):
        writer.writerow(["" if v is None else inert(v) for v in row])
    return buffer.getvalue()


def to_xlsx(job: Job, entries: list[ImpactEntry]) -> bytes:
    book, sheet = new_workbook()
    sheet.title = "impact"
    sheet.append(["release", job.params["release_version"], "sha256",
                  job.params["release_sha256"], "threshold %",
                  job.params["threshold_percent"]])
    sheet.append(list(HEADER))
    for row in rows(job, entries):
        sheet.append([inert(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
