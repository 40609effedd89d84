"""The label-request state machine, in one place.

draft -> submitted -> in_review -> changes_requested -> (resubmit) in_review
      -> approved | rejected; the exporter may withdraw any time before a decision.
"""

from __future__ import annotations

from dataclasses import dataclass

STATES = ("draft", "submitted", "in_review", "changes_requested", "approved", "rejected",
          "withdrawn")
OPEN_STATES = ("draft", "submitted", "in_review", "changes_requested")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    role: str  # who may take it: "exporter" (the requesting organisation) or "certifier"
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("submit", ("draft",), "submitted", "exporter"),
    Transition("start_review", ("submitted",), "in_review", "certifier"),
    Transition("request_changes", ("in_review",), "changes_requested", "certifier",
               needs_reason=True),
    Transition("resubmit", ("changes_requested",), "in_review", "exporter"),
    Transition("approve", ("in_review",), "approved", "certifier"),
    Transition("reject", ("in_review",), "rejected", "certifier", needs_reason=True),
    Transition("withdraw", OPEN_STATES, "withdrawn", "exporter"),
)}


def allowed_actions(state: str, role: str) -> list[str]:
    return [t.action for t in TRANSITIONS.values() if state in t.sources and t.role == role]
