"""What the label benchmarks (benchmarks/bench_labels.py and its parts, and bench_capacity.py)
share: the database and URL they run against, the machine's bare baselines, the app and the
world of organisations and requests in review they start from, and statement counting. Apart so
each bench module holds only what it measures.
"""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ADMIN_DSN = os.environ.get("CARBONLABEL_BENCH_PG",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PUBLIC_URL = "https://labels.bench.test"
MODEL = REPO / "examples" / "models" / "eaf_rebar.yaml"

def machine_baseline() -> dict[str, float]:
    """Bare work whose cost says how fast this machine is today (see the INTRO)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    start = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    loop = time.perf_counter() - start
    key, message = Ed25519PrivateKey.generate(), b"x" * 200
    start = time.perf_counter()
    for _ in range(1000):
        key.sign(message)
    return {"loop_s": loop, "sign_us": (time.perf_counter() - start) * 1e3}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextlib.contextmanager
def scratch_database(prefix: str) -> Iterator[tuple[str, Path]]:
    """A fresh PostgreSQL database (its URL) and a temporary folder holding Brightway's data,
    both removed afterwards whatever happened: every benchmark run starts from nothing and
    leaves nothing behind."""
    from sqlalchemy import create_engine, text

    tmp = Path(tempfile.mkdtemp(prefix=f"carbonlabel-{prefix}-"))
    os.environ["BRIGHTWAY_DIR"] = os.environ["BRIGHTWAY2_DIR"] = str(tmp / "brightway")
    name = f"carbonlabel_{prefix.replace('-', '_')}_{secrets.token_hex(6)}"
    admin = create_engine(ADMIN_DSN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}", tmp
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


def free_port() -> int:
    for _ in range(100):
        port = random.randint(18000, 18999)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18000-18999")


def app_config(url: str, tmp: Path) -> dict[str, Any]:
    return {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": tmp / "instance",
            "KEYS_DIR": tmp / "keys", "BRIGHTWAY_DIR": tmp / "brightway",
            "SECRET_KEY": "bench-secret", "PUBLIC_URL": PUBLIC_URL,
            # the labels benchmark checks one signed head per leaf: synchronous appends
            # (benchmarks/bench_sequencer.py measures batched sequencing)
            "LOG_SEQUENCER": "inline"}


def make_app(url: str, tmp: Path, sequencer: str | None = None):
    """An app on `url`; `sequencer` overrides app_config's inline log appends (batched)."""
    from app import create_app

    config = app_config(url, tmp)
    if sequencer:
        config["LOG_SEQUENCER"] = sequencer
    return create_app(config)


# --------------------------------------------------------------------------- setup


def setup_world(tmp: Path) -> dict[str, str]:
    """Organisations, an exporter, a certifier and a signing key (inside an app context)."""
    from app.services import accounts, keys, transaction
    from app.trust.did_web import did_from_url

    with transaction() as session:
        def org(**data):
            return accounts.create_organisation(session, None, {
                "country": "CN", "subdivision": None, "identifier": None, "address": None,
                "accreditation_body": None, "accreditation_number": None,
                "accreditation_standard": None, "accreditation_scope": [],
                "accredited_from": None, "accredited_to": None, **data})

        exporter_org = org(kind="exporter", name="Bench Steel Ltd", subdivision="CN-GD")
        body = org(kind="certification_body", name="Bench Certification",
                   accreditation_body="TEST", accreditation_number="T-1",
                   accreditation_standard="ISO 14065:2020", accreditation_scope=["72"],
                   accredited_from=date(2020, 1, 1), accredited_to=date(2099, 12, 31))
        exporter = accounts.create_user(session, None, email="exporter@bench.test",
                                        name="exporter", password="correct horse battery",
                                        role="exporter", organisation_id=exporter_org.id)
        certifier = accounts.create_user(session, None, email="certifier@bench.test",
                                         name="certifier", password="correct horse battery",
                                         role="certifier", organisation_id=body.id)
        keys.generate(session, tmp / "keys", did=did_from_url(PUBLIC_URL))
        return {"exporter": exporter.id, "certifier": certifier.id, "body": body.id}


def prepare_requests(world: dict[str, str], count: int, bw_dir: Path, *,
                     one_product: bool = False, declared: dict | None = None) -> list[str]:
    """`count` requests in in_review: one product (and calculation) each, or all for one;
    `declared`: the requests' declared metadata (standards), if any."""
    import yaml

    from app.persistence import User
    from app.services import certification, products, transaction

    model = products.plain(yaml.safe_load(MODEL.read_text("utf-8")))
    ids: list[str] = []
    calc_id = None
    batch = 50
    for start in range(0, count, batch):
        with transaction() as session:
            exporter = session.get_one(User, world["exporter"])
            certifier = session.get_one(User, world["certifier"])
            for i in range(start, min(count, start + batch)):
                if calc_id is None or not one_product:
                    product = products.create_product(session, exporter, {
                        "name": f"Rebar B500B lot {i}", "hs_code": "721420"})
                    version = products.add_version(session, exporter, product, model, "json")
                    calc_id = products.calculate(session, exporter, version, gwp_set="AR6",
                                                 monte_carlo=None, seed=0,
                                                 brightway_dir=bw_dir).id
                req = certification.create_request(session, exporter, {
                    "calculation_id": calc_id, "certification_body_id": world["body"],
                    "label_type": "footprint_disclosure", "home_scheme": "gba-home",
                    **({"declared": declared} if declared else {})})
                certification.transition(session, exporter, req.id, "submit", if_match="*")
                certification.transition(session, certifier, req.id, "start_review",
                                         if_match="*")
                ids.append(req.id)
    return ids

def node_getter(session):
    from app.persistence import LogNode

    def get(level: int, index: int) -> bytes:
        return session.get_one(LogNode, (level, index)).hash

    return get


@contextlib.contextmanager
def counting_statements() -> Iterator[list[int]]:
    """Count every statement sent through psycopg (SQLAlchemy's or a raw cursor's; BEGIN,
    COMMIT and ROLLBACK are not statements here): wraps psycopg.Cursor for the block."""
    import psycopg

    counter = [0]
    originals = psycopg.Cursor.execute, psycopg.Cursor.executemany

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        counter[0] += 1
        return originals[0](self, *args, **kwargs)

    def executemany(self, *args: Any, **kwargs: Any) -> Any:
        counter[0] += 1
        return originals[1](self, *args, **kwargs)

    # patching the class for the block is the point: every cursor, ours or SQLAlchemy's
    setattr(psycopg.Cursor, "execute", execute)  # noqa: B010
    setattr(psycopg.Cursor, "executemany", executemany)  # noqa: B010
    try:
        yield counter
    finally:
        setattr(psycopg.Cursor, "execute", originals[0])  # noqa: B010
        setattr(psycopg.Cursor, "executemany", originals[1])  # noqa: B010


def log_origin() -> str:
    from flask import current_app

    from app.services.issuer import issuer_from_config

    return issuer_from_config(current_app.config).log_origin


def count_rows(session: Any, query: Any) -> int:
    """A count(*) query's answer (never None, unlike Session.scalar's type says)."""
    return int(session.execute(query).scalar_one())
