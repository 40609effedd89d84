"""Mutual recognition of carbon labels: does a label issued here satisfy a partner's scheme?

A partner needs an answer it can act on, so every failed rule comes back as a machine-readable
reason naming the metadata field, what the scheme expects, what the label has and the public
source of the rule. Schemes are data (`data/schemes/*.yaml`) because their rules change more
often than this code and each must be traceable; a rule we could not confirm is marked
`illustrative` so nobody mistakes our guess for the scheme's own text.

The package's parts: metadata (what a label states, and the strict document conversion),
schemes (rule kinds and the scheme files) and evaluation (checks, reasons, outcome). Callers
import from `lca_models.recognition`.
"""

from lca_models.recognition.evaluation import Evaluation, Finding, Outcome, Reason, evaluate
from lca_models.recognition.metadata import (
    Assurance,
    AssuranceLevel,
    AssuranceType,
    Boundary,
    DatabaseRef,
    ElectricityApproach,
    ElectricityModelling,
    GwpSet,
    LabelType,
    MetadataError,
    PcrSourceType,
    Period,
    ProductRules,
    RecognitionMetadata,
    RecognitionRecord,
    StandardRef,
    Validity,
    read_standards,
)
from lca_models.recognition.schemes import (
    RULE_KINDS,
    Agreement,
    AgreementStatus,
    Rule,
    Scheme,
    SchemeFileError,
    Severity,
    Source,
    load_schemes,
)

__all__ = ["RULE_KINDS", "Agreement", "AgreementStatus", "Assurance", "AssuranceLevel",
           "AssuranceType", "Boundary", "DatabaseRef", "ElectricityApproach",
           "ElectricityModelling", "Evaluation", "Finding", "GwpSet", "LabelType",
           "MetadataError", "Outcome", "PcrSourceType", "Period", "ProductRules", "Reason",
           "RecognitionMetadata", "RecognitionRecord", "Rule", "Scheme", "SchemeFileError",
           "Severity", "Source", "StandardRef", "Validity", "evaluate", "load_schemes",
           "read_standards"]
