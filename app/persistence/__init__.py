"""SQLAlchemy models and queries. Importing this package registers every table."""

from app.persistence.accounts import ApiToken, Organisation, User
from app.persistence.audit import AuditEntry
from app.persistence.certification import Comment, LabelRequest
from app.persistence.products import Calculation, ModelVersion, Product

__all__ = ["ApiToken", "AuditEntry", "Calculation", "Comment", "LabelRequest", "ModelVersion",
           "Organisation", "Product", "User"]
