"""What a certifier sees when reviewing a request: every input, factor and number."""

from __future__ import annotations

from typing import Any

from app.persistence import User
from app.services import DbSession, certification, pcrs
from app.services.workflow import allowed_actions
from lca_models.diff import diff, result_delta
from lca_models.factors import load_release


def review(session: DbSession, user: User, request_id: str) -> dict[str, Any]:
    req = certification.get_request(session, user, request_id)
    calc = req.calculation
    version = calc.model_version
    release = load_release()
    used = sorted({c["reference"] for c in calc.result["by_input"] if c["kind"] != "emission"})
    factors = [dict(next(r for r in release.rows if r["id"] == fid))
               for fid in used if fid in release]
    previous = certification.previous_version(session, version)
    comparison = None
    if previous is not None:
        prev_calc = certification.latest_calculation(session, previous)
        comparison = {
            "previous_version": previous.number,
            "model_changes": [c.to_dict() for c in diff(previous.content, version.content)],
            "result": result_delta(prev_calc.result, calc.result) if prev_calc else None,
        }
    return {
        "request": req,
        "etag": certification.etag(req),
        "allowed_actions": allowed_actions(req.state, user.role),
        "product": req.product,
        "model_version": version,
        "calculation": calc,
        "factors": factors,
        "comparison": comparison,
        "pcr_check": pcrs.check(version.content),
        "comments": req.comments,
    }
