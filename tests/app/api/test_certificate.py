"""The certificate a customs officer reads: number, date of issue, signatory, seal, the body's
address and registration, Chinese (Simplified or Traditional) beside English; and the seal
upload that puts the image there (checked, bounded, audited, the body's own or an admin)."""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image
from sqlalchemy import select

from app.persistence import AuditEntry, Organisation
from app.services import seal
from tests.app.api.document_checks import outside_page, png_pages, qr_texts, words
from tests.app.api.test_labels import issue


def png(width: int = 120, height: int = 120) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 20, 20)).save(out, "PNG")
    return out.getvalue()


def put_seal(actor, org_id: str, data: bytes, name: str = "seal.png"):
    return actor.put(f"/api/v1/organisations/{org_id}/seal",
                     data={"seal": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")


def set_body_details(app, org_id: str) -> None:
    from app.services import transaction

    with app.app_context(), transaction() as session:
        body = session.get(Organisation, org_id)
        body.address = "88 Huacheng Avenue, Tianhe, Guangzhou 510623"
        body.identifier = "91440101MA5CXXXX0Y"


def pdf_images(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "images.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True,
                         text=True).stdout
    return out.splitlines()[2:]


@pytest.mark.parametrize(("lang", "title", "boundary"), [
    ("zh-Hans", "碳足迹证书", "从摇篮到大门"), ("zh-Hant", "碳足跡證書", "從搖籃到大門")])
def test_certificate_names_number_date_signatory_body_and_seal(world, app, client, tmp_path,
                                                               lang, title, boundary):
    set_body_details(app, world["ids"]["cb_c"])
    assert put_seal(world["certifier_c"], world["ids"]["cb_c"], png()).status_code == 204
    label, credential = issue(world)
    pdf = client.get(f"/api/v1/labels/{label['id']}/certificate.pdf?lang={lang}&tz=UTC")
    assert pdf.status_code == 200
    text = " ".join(w[5] for w in words(pdf.data, tmp_path))
    issued = credential["validFrom"][:10]
    for expected in (title, "Product Carbon Footprint Certificate", f"CERT-{label['id']}",
                     issued, "certifier_c", "Signatory", "Body C", "Huacheng Avenue",
                     "91440101MA5CXXXX0Y", boundary, "cradle to gate"):
        assert expected in text, (expected, text[:400])
    other = {"zh-Hans": "碳足跡證書", "zh-Hant": "碳足迹证书"}[lang]
    assert other not in text
    assert outside_page(pdf.data, tmp_path) == []
    assert len(pdf_images(pdf.data, tmp_path)) >= 1  # the seal (the QR is vector)
    pages = png_pages(pdf.data, tmp_path, dpi=150)
    assert qr_texts(pages[0]) == [f"https://labels.test/verify/{label['id']}"]


def test_certificate_without_a_seal_says_so(world, client, tmp_path):
    label, _ = issue(world)
    pdf = client.get(f"/api/v1/labels/{label['id']}/certificate.pdf")
    text = " ".join(w[5] for w in words(pdf.data, tmp_path))
    assert "No seal uploaded by the certification body" in text
    assert client.get(f"/api/v1/labels/{label['id']}/certificate.pdf?lang=fr").status_code == 422


def test_seal_upload_is_the_body_s_own_or_an_admin_s_and_audited(world, app):
    body = world["ids"]["cb_c"]
    assert put_seal(world["certifier_d"], body, png()).status_code == 403
    assert put_seal(world["exporter_a"], body, png()).status_code == 403
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>'
    assert put_seal(world["admin"], body, svg, "seal.svg").status_code == 204
    with app.app_context():
        from app.extensions import db

        org = db.session.get(Organisation, body)
        assert org.seal_mime == "image/svg+xml" and org.seal_image == svg
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "organisation.seal_set")).one()
        assert entry.target_id == body


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty"),
    (png(2001, 10), "pixels"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "png"),
    (b"x" * (seal.MAX_BYTES + 1), "too_large"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "svg"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>', "svg"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
     b'<image x:href="http://169.254.169.254/latest"/></svg>', "svg"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://e.test/a)"/></svg>',
     "svg"),
    (b'<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>', "svg"),
    (b"<html/>", "svg"),
])
def test_a_bad_seal_is_refused_naming_the_field_and_nothing_is_stored(world, app, data, code):
    with pytest.raises(Exception) as caught:
        seal.check(data)
    assert caught.value.field == "seal" and caught.value.code == code
    response = put_seal(world["certifier_c"], world["ids"]["cb_c"], data)
    assert response.status_code in (413, 422), response.status_code
    with app.app_context():
        from app.extensions import db

        assert db.session.get(Organisation, world["ids"]["cb_c"]).seal_image is None
