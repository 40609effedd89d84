"""Label requests: creation, the review workflow, comments and the reviewer's view.

Every change is one transaction (the API layer commits); a transition checks, in order:
visibility (404), role (403), If-Match (428/412), state (409), then the rules of the action.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app import clock
from app.domain import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ServiceError,
)
from app.persistence import (
    Calculation,
    Comment,
    Label,
    LabelRequest,
    ModelVersion,
    Organisation,
    SigningKey,
    User,
)
from app.persistence.types import table_of, utcnow
from app.services import (
    DbSession,
    audit,
    keys,
    keyset,
    label_claims,
    labels,
    pcrs,
    products,
)
from app.services.issuer import Issuer
from app.services.workflow import OPEN_STATES, TRANSITIONS
from lca_models.messages import N_, message_of

LABEL_TYPES = ("footprint_disclosure", "reduction", "rating")
_SCHEME = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


def visible_requests(user: User):
    query = select(LabelRequest).order_by(LabelRequest.created_at, LabelRequest.id)
    if user.role == "exporter":
        return query.where(LabelRequest.organisation_id == user.organisation_id)
    if user.role == "certifier":
        return query.where(LabelRequest.certification_body_id == user.organisation_id,
                           LabelRequest.state != "draft")
    return query


def list_requests(session: DbSession, user: User, after: str | None, size: int, *,
                  state: str | None = None, open_only: bool = False) -> keyset.Page:
    """A page of the requests the user sees (`visible_requests`), in one state, or in the
    open states only."""
    query = visible_requests(user)
    if state:
        query = query.where(LabelRequest.state == state)
    elif open_only:
        query = query.where(LabelRequest.state.in_(OPEN_STATES))
    return keyset.page(session, query, after, size)


def get_request(session: DbSession, user: User, request_id: str) -> LabelRequest:
    return _visible(user, session.get(LabelRequest, request_id))


def _visible(user: User, req: LabelRequest | None) -> LabelRequest:
    if req is None or not _can_see(user, req):
        raise NotFound(N_("no such label request"))
    return req


def _can_see(user: User, req: LabelRequest) -> bool:
    if user.role == "admin":
        return True
    if user.role == "exporter":
        return req.organisation_id == user.organisation_id
    return req.certification_body_id == user.organisation_id and req.state != "draft"


def create_request(session: DbSession, user: User, data: dict[str, Any]) -> LabelRequest:
    calc = products.get_calculation(session, user, data["calculation_id"])
    product = calc.model_version.product
    body = session.get(Organisation, data["certification_body_id"])
    if body is None or body.kind != "certification_body":
        raise InvalidInput(N_("no such certification body"), field="certification_body_id")
    _check_accreditation(body, product, "certification_body_id")
    if data["label_type"] == "rating":  # refused now, naming the field, if it cannot be graded
        pcrs.rating(calc.model_version.content, calc.result)
    baseline = None
    if data["label_type"] == "reduction":
        baseline = _baseline(session, user, data.get("baseline_request_id"), product.id)
        label_claims.check_reduction(baseline, calc)
    if not _SCHEME.match(data["home_scheme"]):
        raise InvalidInput(N_("a scheme id is lowercase letters, digits and '-'"),
                           field="home_scheme")
    req = LabelRequest(product_id=product.id, organisation_id=user.organisation_id,
                       certification_body_id=body.id, calculation_id=calc.id,
                       label_type=data["label_type"], home_scheme=data["home_scheme"],
                       baseline_request_id=baseline.id if baseline else None, state="draft",
                       declared_metadata=data.get("declared"), created_by=user.id)
    session.add(req)
    session.flush()
    audit.append(session, user, "label_request.created", target_type="label_request",
                 target_id=req.id, details={"calculation_id": calc.id,
                                            "certification_body_id": body.id,
                                            "label_type": req.label_type})
    return req


def _check_accreditation(body: Organisation, product, field: str | None) -> None:
    chapter = product.hs_chapter
    if chapter is None:
        raise InvalidInput(N_("the product needs an HS code to be certified"), field="hs_code")
    if not body.accredited_for(chapter, clock.today()):
        raise InvalidInput(N_(
            "%(body)s is not accredited for HS chapter %(chapter)s today (scope %(scope)s, "
            "valid %(start)s to %(end)s)", body=body.name, chapter=chapter,
            scope=", ".join(body.accreditation_scope or []) or "none",
            start=body.accredited_from, end=body.accredited_to), field=field)


def _baseline(session: DbSession, user: User, baseline_id: str | None, product_id: str
              ) -> LabelRequest:
    if not baseline_id:
        raise InvalidInput(N_("a reduction label needs the earlier certified request"),
                           field="baseline_request_id")
    base = get_request(session, user, baseline_id)
    if base.product_id != product_id or base.state != "approved":
        raise InvalidInput(N_("the baseline must be an approved request for the same product"),
                           field="baseline_request_id")
    return base


def transition(session: DbSession, user: User, request_id: str, action: str, *,
               if_match: str | None, reason: str | None = None,
               calculation_id: str | None = None, valid_until: date | None = None,
               issuer: Issuer | None = None) -> LabelRequest:
    req = get_request(session, user, request_id)
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise InvalidInput(N_("unknown action '%(action)s'", action=action), field="action")
    _check_action(user, req, action, rule, if_match, reason, valid_until, issuer)
    approval: tuple[date, Issuer] | None = None  # what issuing the label needs
    if action == "approve":
        assert valid_until is not None and issuer is not None  # _check_action
        approval = (valid_until, issuer)
    details: dict[str, Any] = {"from": req.state, "to": rule.target}
    if action == "submit":
        _freeze(req.calculation)
    if action == "resubmit":
        details["calculation_id"] = _resubmit(session, user, req, calculation_id)
    loaded = labels.load_for_issuance(session, req) if action == "approve" else ()
    if rule.role == "certifier":
        _check_accreditation(session.get_one(Organisation, req.certification_body_id),
                             req.product,
                             None)
    # the calculation is loaded before any field changes: one versioned UPDATE
    for name, value in _changes(user, req, action, rule.target, reason).items():
        setattr(req, name, value)
    if action in ("approve", "reject"):
        details["reviewed_inputs_sha256"] = req.reviewed_inputs_sha256
    if approval is None:  # the versioned UPDATE: a concurrent winner raises StaleDataError
        session.flush()
    else:  # an approval's UPDATE goes out with its label's INSERT, in one flush
        label = labels.issue_label(session, req, user, *approval)
        details["label_id"] = label.id
        del loaded  # one query instead of five lazy loads, held until the label was built
    audit.append(session, user, f"label_request.{action}", target_type="label_request",
                 target_id=req.id, reason=reason, details=details,
                 deferred=approval is not None and not approval[1].log_inline)
    return req


#: the most requests one bulk approval takes (one transaction: its length and the locks it
#: holds stay bounded; a larger catalogue is approved in several calls)
MAX_BULK = 500


def approve_many(session: DbSession, user: User, items: Sequence[tuple[str, str | None]], *,
                 valid_until: date | None, issuer: Issuer, reason: str | None = None
                 ) -> list[tuple[LabelRequest, str]]:
    """Approve several requests in review in one transaction (a certification body issuing
    an exporter's catalogue after one audit): each `(request id, If-Match)` is checked and
    approved exactly as `transition(..., "approve")` does, and each label still gets its own
    credential, status-list slot, log entries and audit events. All or nothing: the first
    refusal raises the same error as a single approval would, naming the request by its
    place in `items` (`requests[i]`: a 404 then reads the same for an id that exists
    elsewhere as for one that exists nowhere), and
    nothing of the batch is kept (the caller's transaction rolls back). Requests are
    approved in product order, so two bulk approvals sharing products lock them in the same
    order and cannot deadlock. Returns (request, its label's id) in `items`' order."""
    if not items:
        raise InvalidInput(N_("give at least one request to approve"), field="requests")
    if len(items) > MAX_BULK:
        raise InvalidInput(N_("at most %(count)s requests in one bulk approval",
                              count=MAX_BULK), field="requests")
    if len({request_id for request_id, _ in items}) != len(items):
        raise InvalidInput(N_("a request is listed twice"), field="requests")
    if not issuer.log_inline:
        return _approve_batched(session, user, items, valid_until, issuer, reason)
    return approve_each(session, user, items, valid_until=valid_until, issuer=issuer,
                        reason=reason)


def approve_each(session: DbSession, user: User, items: Sequence[tuple[str, str | None]], *,
                 valid_until: date | None, issuer: Issuer, reason: str | None = None
                 ) -> list[tuple[LabelRequest, str]]:
    """`approve_many` one `transition(..., "approve")` at a time, in product order: its path
    under inline sequencing (each approval appends to the log itself), and the baseline
    benchmarks/profile_bulk_approval.py measures the batched path against."""
    found = []
    for place, (request_id, if_match) in enumerate(items):
        with _naming(place):
            found.append((place, get_request(session, user, request_id), if_match))
    for place, req, if_match in sorted(found, key=lambda f: (f[1].product_id, f[1].id)):
        with _naming(place):
            transition(session, user, req.id, "approve", if_match=if_match, reason=reason,
                       valid_until=valid_until, issuer=issuer)
    issued = {request_id: label_id for request_id, label_id in session.execute(
        select(Label.request_id, Label.id).where(
            Label.request_id.in_([req.id for _, req, _ in found])))}
    return [(req, issued[req.id]) for _, req, _ in found]


def _approve_batched(session: DbSession, user: User, items: Sequence[tuple[str, str | None]],
                     valid_until: date | None, issuer: Issuer, reason: str | None
                     ) -> list[tuple[LabelRequest, str]]:
    """approve_many under batched sequencing: what the loop of `transition` calls does, in
    a few statements for the whole batch (`labels.BatchIssuance`). Each request is checked
    as `transition` and `labels.issue_label` check it, in the same order (visibility in
    `items`' order; then role, If-Match, state, validity given, accreditation, validity in
    the future, the signing key and building its label, request by request in product
    order), after the products are locked in that order; the requests' UPDATE checks their
    versions as the unit of work's would (StaleDataError: the whole batch is refused)."""
    loaded = {req.id: req for req in session.scalars(select(LabelRequest).where(
        LabelRequest.id.in_([request_id for request_id, _ in items])))}
    found = []
    for place, (request_id, if_match) in enumerate(items):
        with _naming(place):
            found.append((place, _visible(user, loaded.get(request_id)), if_match))
    found.sort(key=lambda f: (f[1].product_id, f[1].id))
    held = labels.lock_for_issuance(session, [req for _, req, _ in found])
    key_id, key_multibase, key_did = labels.active_key(session)
    rule, today = TRANSITIONS["approve"], clock.today()
    batch: labels.BatchIssuance | None = None
    signer: tuple[str, Any] | None = None
    was, approvals, events, label_of = [], [], [], {}
    for place, req, if_match in found:
        with _naming(place):
            _check_action(user, req, "approve", rule, if_match, reason, valid_until, issuer)
            assert valid_until is not None  # _check_action
            _check_accreditation(session.get_one(Organisation, req.certification_body_id),
                                 req.product, None)
            labels.check_validity(valid_until, today)
            labels.check_key(key_id, key_did, issuer)
            if signer is None:
                key = SigningKey(id=key_id, public_multibase=key_multibase, issuer_did=key_did)
                signer = (key.id, keys.load_private(issuer.keys_dir, key))
                batch = labels.BatchIssuance(session, [r for _, r, _ in found], valid_until,
                                             issuer)
            assert batch is not None
            details: dict[str, Any] = {"from": req.state, "to": rule.target}
            changes = _changes(user, req, "approve", rule.target, reason)
            was.append(req.version)
            # the session's copy shows the approval (the label reads the reviewed hashes);
            # written below, checking the version read: a failure rolls the copy back too
            for name, value in changes.items():
                set_committed_value(req, name, value)
            approvals.append(changes)
            label_id, issued = batch.add(session, req, user, signer)
            label_of[req.id] = label_id
            details.update(reviewed_inputs_sha256=changes["reviewed_inputs_sha256"],
                           label_id=label_id)
            events += [issued, audit.pending_row(
                user, "label_request.approve", target_type="label_request", target_id=req.id,
                reason=reason, details=details)]
    assert batch is not None
    _update_versioned(session, [req for _, req, _ in found], was, approvals)
    batch.write(session)
    audit.insert_pending(session, events)
    del held  # kept until the labels were built (the identity map holds objects weakly)
    return [(req, label_of[req.id]) for _, req, _ in sorted(found, key=lambda f: f[0])]


def _update_versioned(session: DbSession, reqs: list[LabelRequest], was: list[int],
                      changes: list[dict[str, Any]]) -> None:
    """Write each request's `changes` only where its version is still `was`, the one this
    session read, bumping it, as the unit of work's versioned UPDATE does (one statement
    run for each request, in order): if any changed meanwhile, StaleDataError, as a single
    approval gets. The session's copies then show the new version too."""
    result = cast(CursorResult, session.execute(
        update(table_of(LabelRequest)).where(LabelRequest.id == bindparam("b_id"),
                                             LabelRequest.version == bindparam("b_was")),
        [{**change, "version": version + 1, "b_id": req.id, "b_was": version}
         for req, version, change in zip(reqs, was, changes, strict=True)]))
    if result.rowcount != len(reqs):
        raise StaleDataError(f"UPDATE statement on table 'label_requests' expected to update "
                             f"{len(reqs)} row(s); {result.rowcount} were matched.")
    for req, version in zip(reqs, was, strict=True):
        set_committed_value(req, "version", version + 1)


@contextmanager
def _naming(place: int) -> Iterator[None]:
    """A refusal inside says which request of the batch it is about."""
    try:
        yield
    except ServiceError as exc:
        exc.args = (N_("requests[%(place)s]: %(message)s", place=place,
                       message=message_of(exc)), *exc.args[1:])
        raise


def _check_action(user: User, req: LabelRequest, action: str, rule: Any, if_match: str | None,
                  reason: str | None, valid_until: date | None, issuer: Issuer | None) -> None:
    """What a transition checks before it loads anything more: role, If-Match, state, and
    what the action needs."""
    _check_actor(user, req, rule.role)
    check_if_match(req, if_match)
    if req.state not in rule.sources:
        raise Conflict(N_(
            "'%(action)s' is not possible while the request is %(state)s",
            action=action, state=req.state),
                       state=req.state)
    if rule.needs_reason and not (reason or "").strip():
        raise InvalidInput(N_("'%(action)s' needs a reason", action=action), field="reason")
    if action == "approve" and (valid_until is None or issuer is None):
        raise InvalidInput(N_("approval issues the label: give valid_until (the certified "
                              "validity under your scheme)"), field="valid_until")


def _changes(user: User, req: LabelRequest, action: str, target: str, reason: str | None
             ) -> dict[str, Any]:
    """The request's columns a transition to `target` sets (a decision records who decided,
    when, why, and the hashes of the calculation reviewed)."""
    changes: dict[str, Any] = {}
    if action in ("approve", "reject"):
        reviewed = req.calculation
        changes.update(reviewer_id=user.id, decided_at=utcnow(), decision_reason=reason,
                       reviewed_inputs_sha256=reviewed.inputs_sha256,
                       reviewed_result_sha256=reviewed.result_sha256)
    changes.update(state=target, updated_at=utcnow())
    return changes


def _check_actor(user: User, req: LabelRequest, role: str) -> None:
    if user.role != role:
        raise Forbidden(N_("only the requesting exporter can do this") if role == "exporter"
                        else N_("only the certifier can do this"))
    if role == "certifier" and user.organisation_id == req.organisation_id:
        raise Forbidden(N_("a certifier cannot review its own organisation's products"))


def _freeze(calc: Calculation) -> None:
    calc.model_version.frozen = True


def _resubmit(session: DbSession, user: User, req: LabelRequest, calculation_id: str | None
              ) -> str:
    if not calculation_id:
        raise InvalidInput(N_("resubmit with the calculation of the revised model"),
                           field="calculation_id")
    calc = products.get_calculation(session, user, calculation_id)
    if calc.model_version.product_id != req.product_id:
        raise InvalidInput(N_("the calculation is of another product"), field="calculation_id")
    req.calculation_id = calc.id
    req.calculation = calc
    _freeze(calc)
    return calc.id


def etag(req: LabelRequest) -> str:
    return f'"{req.id}.{req.version}"'


def check_if_match(req: LabelRequest, if_match: str | None) -> None:
    if not if_match:
        raise PreconditionRequired(N_("send If-Match with the ETag of the request you read"))
    tags = {t.strip().removeprefix("W/") for t in if_match.split(",")}
    if etag(req) not in tags and "*" not in tags:
        raise PreconditionFailed(N_(
            "the request changed since you read it (now %(etag)s, state %(state)s)",
            etag=etag(req), state=req.state))


def add_comment(session: DbSession, user: User, request_id: str, *, body: str,
                path: str | None, parent_id: str | None) -> Comment:
    req = get_request(session, user, request_id)
    if user.role == "certifier":
        _check_actor(user, req, "certifier")
        if req.state != "in_review":
            raise Conflict(N_("comments are made during review"), state=req.state)
    elif user.role == "exporter":
        if not parent_id:
            raise InvalidInput(N_("exporters answer a certifier's comment"), field="parent_id")
    else:
        raise Forbidden(N_("admins do not take part in reviews"))
    if parent_id:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.request_id != req.id:
            raise InvalidInput(N_("no such comment on this request"), field="parent_id")
        path = path or parent.path
    comment = Comment(request_id=req.id, author_id=user.id, path=path, parent_id=parent_id,
                      body=body, calculation_id=req.calculation_id)
    session.add(comment)
    session.flush()
    audit.append(session, user, "comment.added", target_type="label_request", target_id=req.id,
                 details={"comment_id": comment.id, "path": path, "parent_id": parent_id})
    return comment


def requests_for_product(session: DbSession, user: User, product_id: str) -> list[LabelRequest]:
    """The product's requests the user may see, newest first."""
    return list(session.scalars(visible_requests(user).where(
        LabelRequest.product_id == product_id).order_by(None).order_by(
        LabelRequest.created_at.desc())))


def open_requests(session: DbSession, user: User, product_id: str) -> list[LabelRequest]:
    return [r for r in requests_for_product(session, user, product_id)
            if r.state in OPEN_STATES]


def revisions(session: DbSession, req: LabelRequest) -> list[Calculation]:
    """Calculations of the product newer than the one under review: what a resubmission can
    send, newest first."""
    return list(session.scalars(
        select(Calculation).join(ModelVersion).where(
            ModelVersion.product_id == req.product_id,
            Calculation.created_at > req.calculation.created_at)
        .order_by(Calculation.created_at.desc())))


def label_of(session: DbSession, req: LabelRequest) -> Label | None:
    """The label its approval issued, if any."""
    return session.scalar(select(Label).where(Label.request_id == req.id))


def previous_version(session: DbSession, version: ModelVersion) -> ModelVersion | None:
    return session.scalar(select(ModelVersion).where(
        ModelVersion.product_id == version.product_id,
        ModelVersion.number < version.number).order_by(ModelVersion.number.desc()).limit(1))


def latest_calculation(session: DbSession, version: ModelVersion) -> Calculation | None:
    return session.scalar(select(Calculation).where(
        Calculation.model_version_id == version.id).order_by(
        Calculation.created_at.desc()).limit(1))

