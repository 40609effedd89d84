"""User administration (admin only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_smorest import Blueprint

from app.api.pagination import Page, cursor, paginate
from app.auth import caller, requires
from app.extensions import db
from app.schemas.accounts import (
    ActiveChangeSchema,
    RoleChangeSchema,
    UserInSchema,
    UserPageSchema,
    UserSchema,
)
from app.schemas.common import PageQuerySchema
from app.services import accounts, transaction

if TYPE_CHECKING:  # for the annotations only: queries live in app/services
    from app.persistence import User


blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="Users (admin)")


@blp.route("", methods=["GET"])
@requires("admin")
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, UserPageSchema)
def list_users(args: dict) -> Page:
    """All users."""
    return paginate(accounts.list_users(db.session, *cursor(args)), args)


@blp.route("", methods=["POST"])
@requires("admin", scope="admin")
@blp.arguments(UserInSchema)
@blp.response(201, UserSchema)
def create_user(body: dict) -> User:
    """Create a user in an organisation of the matching kind."""
    with transaction() as session:
        return accounts.create_user(session, caller().user, **body)


@blp.route("/<string:user_id>/role", methods=["PUT"])
@requires("admin", scope="admin")
@blp.arguments(RoleChangeSchema)
@blp.response(200, UserSchema)
def change_role(body: dict, user_id: str) -> User:
    """Change a user's role, with a reason for the audit trail."""
    with transaction() as session:
        return accounts.set_role(session, caller().user, user_id, body["role"], body["reason"])


@blp.route("/<string:user_id>/active", methods=["PUT"])
@requires("admin", scope="admin")
@blp.arguments(ActiveChangeSchema)
@blp.response(200, UserSchema)
def set_active(body: dict, user_id: str) -> User:
    """Deactivate (sessions and tokens end at once) or reactivate an account, with a reason
    for the audit trail; an admin cannot deactivate their own account."""
    with transaction() as session:
        return accounts.set_active(session, caller().user, user_id, body["active"],
                                   body["reason"])
