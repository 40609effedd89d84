"""Extension instances, bound to an app in create_app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.openapi import PactDocumentation, ProblemApi

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


api = ProblemApi(spec_kwargs={"extra_plugins": [PactDocumentation()]})
db = SQLAlchemy(model_class=Base)
if TYPE_CHECKING:
    # Type checkers cannot take an attribute (db.Model) as a base class (python/mypy#8603).
    # db.Model is Flask-SQLAlchemy's copy of Base: Base's body, the same metadata and
    # registry, plus its query helpers; so the models are checked against Base.
    Model = Base
else:
    Model = db.Model
#: Public endpoints (verification, credentials, the log) are rate limited per client address;
#: storage is memory by default, Redis (CARBONLABEL_RATELIMIT_STORAGE) with several workers.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
