"""What every `carbonlabel` command module shares: plain error messages instead of tracebacks,
the instance folder, and the service app. Kept apart from app/cli.py (which assembles the
command group) so the command modules never import the module that imports them."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

import click
from sqlalchemy.exc import DBAPIError

from app.domain import ServiceError
from lca_models.errors import FactorFileError, LcaModelError, ModelValidationError

if TYPE_CHECKING:
    from flask import Flask

F = TypeVar("F", bound=Callable[..., Any])


def _fail(exc: Exception) -> NoReturn:
    if isinstance(exc, ModelValidationError):
        click.echo("error: the model is invalid:", err=True)
        for path, messages in exc.errors.items():
            for message in messages:
                click.echo(f"  {path}: {message}", err=True)
    elif isinstance(exc, FactorFileError):
        click.echo(f"error: {exc.source} was rejected, nothing was imported:", err=True)
        for row, column, message in exc.errors:
            where = ", ".join(x for x in (f"row {row}" if row else "",
                                          f"column '{column}'" if column else "") if x)
            click.echo(f"  {where}: {message}" if where else f"  {message}", err=True)
    elif isinstance(exc, ServiceError) and exc.field:
        click.echo(f"error: {exc} ({exc.field})", err=True)
    elif isinstance(exc, DBAPIError):  # one line: which database, and the driver's reason
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        click.echo(f"error: cannot use the database: {reason}", err=True)
    else:
        click.echo(f"error: {exc}", err=True)
    sys.exit(2)


def friendly_errors(func: F) -> F:
    """Engine, service and database errors print plainly and exit 2; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (LcaModelError, ServiceError, ValueError, OSError, DBAPIError) as exc:
            _fail(exc)

    return cast(F, wrapper)


def instance_dir() -> Path:
    return Path(os.environ.get("CARBONLABEL_INSTANCE", "instance")).resolve()


def service_app() -> Flask:
    """The service app, configured as the server is; imported only by the commands that use
    the database, so the engine's commands stay quick to start."""
    from app import create_app

    return create_app()


def user_by_email(session: Any, email: str) -> Any:
    """The user a command acts as or on, or a plain error naming the address given."""
    from sqlalchemy import select

    from app.persistence import User

    user = session.scalar(select(User).where(User.email == email.lower()))
    if user is None:
        raise click.ClickException(f"no user {email}")
    return user
