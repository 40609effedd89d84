"""Locust users for benchmarks/load/run.py, one class per phase (the runner names the class
on locust's command line, so each phase is a separate, time-bounded headless run).

Inputs come from the environment the runner sets: LOAD_LABELS (label IDs, comma-separated),
LOAD_STATIC (the static server's base URL and the published files to fetch), LOAD_REQUESTS
(request IDs in review), LOAD_BULK_REQUESTS and LOAD_BULK_SIZE (requests in review for bulk
approvals, and how many one call approves) and LOAD_TOKEN (a certifier's API token). Every
response is checked for what a verifier would check (status code and the answer's content),
so a fast error never counts as a fast success."""

from __future__ import annotations

import os
import random

from locust import FastHttpUser, constant, task
from locust.exception import StopUser


def _list(name: str) -> list[str]:
    return [x for x in os.environ.get(name, "").split(",") if x]


LABELS = _list("LOAD_LABELS")
STATIC_FILES = _list("LOAD_STATIC_FILES")
PENDING = _list("LOAD_REQUESTS")  # popped: each request is approved once
BULK = _list("LOAD_BULK_REQUESTS")  # popped LOAD_BULK_SIZE at a time
BULK_SIZE = int(os.environ.get("LOAD_BULK_SIZE", "50"))
TOKEN = os.environ.get("LOAD_TOKEN", "")
VALID_UNTIL = os.environ.get("LOAD_VALID_UNTIL", "")  # from app.clock, by the runner


class Health(FastHttpUser):
    """The trivial endpoint every figure is divided by."""

    wait_time = constant(0)

    @task
    def health(self) -> None:
        with self.client.get("/api/v1/health", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"status {answer.status_code}")


class VerifyJson(FastHttpUser):
    wait_time = constant(0)

    @task
    def verify(self) -> None:
        label = random.choice(LABELS)
        with self.client.get(f"/api/v1/labels/{label}/verification",
                             name="/api/v1/labels/[id]/verification",
                             catch_response=True) as answer:
            if answer.status_code != 200 or answer.json().get("status") != "valid":
                answer.failure(f"status {answer.status_code}: {answer.text[-300:]}")


class VerifyPage(FastHttpUser):
    """The public page a QR scan opens (HTML, in the default language)."""

    wait_time = constant(0)

    @task
    def page(self) -> None:
        label = random.choice(LABELS)
        with self.client.get(f"/verify/{label}", name="/verify/[id]",
                             catch_response=True) as answer:
            if answer.status_code != 200 or label not in answer.text:
                answer.failure(f"status {answer.status_code}")


class StaticFiles(FastHttpUser):
    """Published files (credentials, tiles, checkpoint) from a plain static server."""

    wait_time = constant(0)

    @task
    def static(self) -> None:
        path = random.choice(STATIC_FILES)
        with self.client.get("/" + path, name="/[published file]",
                             catch_response=True) as answer:
            if answer.status_code != 200 or not answer.content:
                answer.failure(f"status {answer.status_code}")


class Issue(FastHttpUser):
    """A certifier approving requests in review over the API: each approval issues a label
    (signed credential, status-list slot, log entry). Stops when the requests run out."""

    wait_time = constant(0)

    @task
    def approve(self) -> None:
        if not PENDING:
            raise StopUser()
        request_id = PENDING.pop()
        with self.client.post(f"/api/v1/label-requests/{request_id}/transitions",
                              name="/api/v1/label-requests/[id]/transitions (approve)",
                              json={"action": "approve", "valid_until": VALID_UNTIL},
                              headers={"Authorization": f"Bearer {TOKEN}", "If-Match": "*"},
                              catch_response=True) as answer:
            if answer.status_code != 200 or answer.json().get("state") != "approved":
                answer.failure(f"status {answer.status_code}: {answer.text[:200]}")


class IssueBulk(FastHttpUser):
    """A certifier approving a catalogue over the API: LOAD_BULK_SIZE requests in review a
    call (`POST /api/v1/label-requests/approvals`), each still issuing its own label. Stops
    when the requests run out."""

    wait_time = constant(0)

    @task
    def approve(self) -> None:
        if not BULK:
            raise StopUser()
        batch = [BULK.pop() for _ in range(min(BULK_SIZE, len(BULK)))]
        with self.client.post("/api/v1/label-requests/approvals",
                              name="/api/v1/label-requests/approvals (bulk)",
                              json={"requests": [{"id": r, "etag": "*"} for r in batch],
                                    "valid_until": VALID_UNTIL},
                              headers={"Authorization": f"Bearer {TOKEN}"},
                              catch_response=True) as answer:
            issued = answer.json().get("items", []) if answer.status_code == 200 else []
            if len(issued) != len(batch) or not all(i.get("label_id") for i in issued):
                answer.failure(f"status {answer.status_code}: {answer.text[:200]}")
