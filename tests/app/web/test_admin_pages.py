"""Administration pages through the test client: each change stored through the API's
services with its audit entry, destructive ones only after confirmation, refused input told
in the reader's language naming the field with nothing stored, and other roles kept out."""

from __future__ import annotations

from sqlalchemy import select

from app.persistence import AuditEntry, Organisation, PactClient, SigningKey, User
from tests.app.web.test_pages import count, sign_in


def post(client, url: str, **data):
    return client.post(url, data={"csrf_token": client.csrf, **data}, follow_redirects=True)


def audit_actions(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        from app.extensions import db

        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_admin_adds_a_user_and_changes_a_role(world, app):
    admin = sign_in(app, "admin")
    page = admin.get("/app/admin/users")
    assert page.status_code == 200 and "exporter_a@test.example" in page.text
    done = post(admin, "/app/admin/users", email="new.person@test.example", name="New Person",
                password="a long enough password", role="exporter",
                organisation_id=world["ids"]["exp_a"])
    assert "User new.person@test.example added." in done.text
    assert "new.person@test.example" in admin.get("/app/admin/users").text
    created = audit_actions(app, "user.created")
    assert any(e.actor_id == world["admin"].user_id for e in created)
    with app.app_context():
        from app.extensions import db

        person = db.session.scalars(select(User).where(
            User.email == "new.person@test.example")).one()
        person_id = person.id
    changed = post(admin, f"/app/admin/users/{person_id}/role", role="admin",
                   reason="runs the service now")
    assert "Role changed." in changed.text
    assert audit_actions(app, "user.role_changed")[-1].target_id == person_id


def test_bad_user_input_names_the_field_in_the_readers_language_and_stores_nothing(world,
                                                                                   app):
    before = count(app, "users")
    for lang, field in (("en", "Password"), ("zh-Hans", "密码"), ("zh-Hant", "密碼")):
        admin = sign_in(app, "admin", lang)
        page = post(admin, "/app/admin/users", email="short@test.example", name="Short",
                    password="short", role="exporter", organisation_id=world["ids"]["exp_a"])
        assert f"{field}:" in page.text or f"{field}：" in page.text, (lang, page.text[-2000:])
        wrong_org = post(admin, "/app/admin/users", email="x@test.example", name="X",
                         password="a long enough password", role="certifier",
                         organisation_id=world["ids"]["exp_a"])
        label = {"en": "Organisation", "zh-Hans": "组织", "zh-Hant": "機構"}[lang]
        assert f"{label}:" in wrong_org.text or f"{label}：" in wrong_org.text
    assert count(app, "users") == before


def test_other_roles_cannot_use_the_admin_pages(world, app):
    certifier = sign_in(app, "certifier_c")
    assert certifier.get("/app/admin/users").status_code == 403
    before = count(app, "users")
    refused = certifier.post("/app/admin/users", data={
        "csrf_token": certifier.csrf, "email": "sneaky@test.example", "name": "S",
        "password": "a long enough password", "role": "admin"})
    assert refused.status_code in (302, 403)
    assert count(app, "users") == before
    assert sign_in(app, "exporter_a").get("/app/admin/keys").status_code == 403


def test_admin_adds_a_certification_body_with_scope_and_validity(world, app):
    admin = sign_in(app, "admin")
    before = count(app, "organisations")
    bad = post(admin, "/app/admin/organisations", kind="certification_body", name="Body E",
               country="CN", accreditation_body="CNAS", accreditation_number="CNAS C-1",
               accreditation_standard="ISO 14065:2020", accreditation_scope_text="72, 7",
               accredited_from="2026-01-01", accredited_to="2028-12-31")
    assert "Accreditation scope (HS chapters): HS chapters are two digits: 7" in bad.text
    missing = post(admin, "/app/admin/organisations", kind="certification_body",
                   name="Body F", country="CN")
    assert "Accreditation body:" in missing.text
    assert count(app, "organisations") == before
    good = post(admin, "/app/admin/organisations", kind="certification_body", name="Body E",
                country="CN", accreditation_body="CNAS", accreditation_number="CNAS C-1",
                accreditation_standard="ISO 14065:2020", accreditation_scope_text="72，76",
                accredited_from="2026-01-01", accredited_to="2028-12-31")
    assert "Organisation Body E added." in good.text and "72, 76" in good.text
    with app.app_context():
        from app.extensions import db

        body = db.session.scalars(select(Organisation).where(
            Organisation.name == "Body E")).one()
        assert body.accreditation_scope == ["72", "76"]
        assert str(body.accredited_to) == "2028-12-31"


def test_key_rotation_needs_confirmation_and_is_audited(world, app):
    admin = sign_in(app, "admin")
    assert "key-" in admin.get("/app/admin/keys").text
    unconfirmed = post(admin, "/app/admin/keys/rotate")
    assert "Confirmation: tick the box to confirm." in unconfirmed.text
    assert count(app, "signing_keys") == 1
    done = post(admin, "/app/admin/keys/rotate", confirm="yes")
    assert "is active; the old one is retired" in done.text
    with app.app_context():
        from app.extensions import db

        found = db.session.scalars(select(SigningKey)).all()
        assert len(found) == 2 and sum(k.retired_at is None for k in found) == 1
    rotated = audit_actions(app, "key.rotated")
    assert len(rotated) == 1 and rotated[0].actor_id == world["admin"].user_id


def test_pact_partner_register_set_url_and_revoke(world, app):
    admin = sign_in(app, "admin", "zh-Hant")
    none_chosen = post(admin, "/app/admin/pact", name="Buyer GmbH")
    assert "可讀取的出口商：" in none_chosen.text and count(app, "pact_clients") == 0
    done = post(admin, "/app/admin/pact", name="Buyer GmbH",
                organisation_ids=world["ids"]["exp_a"],
                events_url="https://buyer.example/2/events")
    assert "PACT 合作方已登記" in done.text
    with app.app_context():
        from app.extensions import db

        client = db.session.scalars(select(PactClient)).one()
        assert client.events_url == "https://buyer.example/2/events"
        partner_id = client.id
    bad = post(admin, f"/app/admin/pact/{partner_id}/events-url",
               events_url="ftp://buyer.example/x")
    assert "事件網址：" in bad.text
    unconfirmed = post(admin, f"/app/admin/pact/{partner_id}/revoke")
    assert "確認：" in unconfirmed.text
    post(admin, f"/app/admin/pact/{partner_id}/revoke", confirm="yes")
    with app.app_context():
        from app.extensions import db

        client = db.session.get(PactClient, partner_id)
        assert client.revoked_at is not None
        assert client.events_url == "https://buyer.example/2/events"
    assert [e.target_id for e in audit_actions(app, "pact_client.revoked")] == [partner_id]
    assert len(audit_actions(app, "pact_client.events_url_set")) == 1


def test_jobs_page_lists_jobs(world, app):
    from app.persistence import ModelVersion
    from app.services import jobs, transaction
    from tests.app.flows import create_product, steel_model, upload

    exporter = world["exporter_a"]
    version = upload(exporter, create_product(exporter)["id"], steel_model())
    with app.app_context(), transaction() as session:
        who = session.get(User, exporter.user_id)
        job = jobs.start_calculation(session, who, session.get(ModelVersion, version["id"]),
                                     gwp_set="AR6", monte_carlo=200, seed=1, max_monte_carlo=1000)
        job_id = job.id
    page = sign_in(app, "admin", "zh-Hans").get("/app/admin/jobs")
    assert page.status_code == 200 and job_id[:8] in page.text and "排队中" in page.text
    assert "0 / 200" in page.text
