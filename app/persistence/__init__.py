"""SQLAlchemy models and queries. Importing this package registers every table."""

from app.persistence.accounts import ApiToken, Organisation, User
from app.persistence.audit import AuditEntry, PendingAuditEntry
from app.persistence.cbam import CbamInstallation, CbamReportRecord
from app.persistence.certification import Comment, LabelRequest
from app.persistence.jobs import ImpactEntry, Job
from app.persistence.labels import (
    Label,
    LogEntry,
    LogNode,
    PendingLogEntry,
    SigningKey,
    StatusList,
    TreeHead,
)
from app.persistence.pact import (
    PactClient,
    PactFootprint,
    PactFootprintTerm,
    PactOutbox,
    PactToken,
)
from app.persistence.products import (
    Calculation,
    CompiledForm,
    ModelStructure,
    ModelVersion,
    Product,
)

__all__ = ["ApiToken", "AuditEntry", "Calculation", "CbamInstallation",
           "CbamReportRecord", "Comment", "CompiledForm", "ImpactEntry", "Job", "Label",
           "LabelRequest", "LogEntry", "LogNode", "ModelStructure", "ModelVersion",
           "Organisation", "PactClient", "PactFootprint", "PactFootprintTerm", "PactOutbox",
           "PactToken", "PendingAuditEntry", "PendingLogEntry", "Product", "SigningKey",
           "StatusList", "TreeHead", "User"]
