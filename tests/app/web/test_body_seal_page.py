"""The certifier's seal page: upload, preview, and a refused image told in the reader's
language naming the field, with nothing stored."""

from __future__ import annotations

import io

from app.persistence import Organisation
from tests.app.api.test_certificate import png
from tests.app.web.test_pages import sign_in


def stored_seal(app, org_id):
    with app.app_context():
        from app.extensions import db

        return db.session.get(Organisation, org_id).seal_image


def post_seal(client, data: bytes, name: str):
    return client.post("/app/body/seal", data={"csrf_token": client.csrf,
                                               "seal": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_certifier_uploads_a_seal_and_sees_it(world, app):
    client = sign_in(app, "certifier_c")
    page = client.get("/app/body/seal")
    assert page.status_code == 200 and "Seal for certificates" in page.text
    assert "No seal uploaded yet." in page.text
    image = png()
    done = post_seal(client, image, "seal.png")
    assert "The seal is saved" in done.text and "/app/body/seal.img" in done.text
    served = client.get("/app/body/seal.img")
    assert served.data == image and served.mimetype == "image/png"
    assert "default-src 'none'" in served.headers["Content-Security-Policy"]
    assert stored_seal(app, world["ids"]["cb_c"]) == image


def test_a_refused_seal_is_explained_in_the_readers_language(world, app):
    for lang, words in (("en", "Seal: use a PNG or a plain SVG image"),
                        ("zh-Hans", "印章：请使用 PNG 或普通 SVG 图片"),
                        ("zh-Hant", "印章：請使用 PNG 或普通 SVG 圖片")):
        client = sign_in(app, "certifier_c", lang)
        page = post_seal(client, b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>",
                         "seal.svg")
        assert words in page.text, lang
    assert stored_seal(app, world["ids"]["cb_c"]) is None


def test_the_seal_page_is_for_certifiers(world, app):
    assert sign_in(app, "exporter_a").get("/app/body/seal").status_code == 403
