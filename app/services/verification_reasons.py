"""The reasons a verification gives, as templates.

A verification's reasons are part of its machine-readable answer (and of what the
verification cache keeps), so they stay the English sentences below, filled in as plain
text; the verification page shows them in the reader's language by recognising them
(app/services/message_text.py). The values stay as they are: a revocation or suspension
reason is the certifier's own words, shown as typed.
"""

from __future__ import annotations

from lca_models.messages import N_

SIGNATURE_OK = N_("the credential's eddsa-jcs-2022 signature verifies with the published key "
                  "of its issuer %(issuer)s")
SIGNATURE_BAD = N_("the credential's signature does not verify: %(problems)s")
OTHER_ISSUER = N_("it names issuer %(named)s, the label was issued by %(issuer)s")
ALTERED = N_("stored copy was altered")
UNKNOWN_PROBLEM = N_("unknown problem")
LIST = {
    ("revocation", True): N_("the signed revocation list %(number)s marks it revoked"),
    ("revocation", False): N_("the signed revocation list %(number)s does not mark it revoked"),
    ("suspension", True): N_("the signed suspension list %(number)s marks it suspended"),
    ("suspension", False): N_(
        "the signed suspension list %(number)s does not mark it suspended"),
}
LIST_UNCHECKED = {"revocation": N_("the revocation list could not be checked"),
                  "suspension": N_("the suspension list could not be checked")}
LOG_PENDING = N_("its issuance waits for the transparency log's sequencer (at most the merge "
                 "delay): it is not proven in the log yet")
LOG_OK = N_("its issuance is entry %(index)s of the transparency log, proven against the "
            "signed checkpoint of size %(size)s")
LOG_BAD = N_("its issuance could not be proven in the transparency log")
REVOKED = N_("revoked on %(date)s: %(reason)s")
SUPERSEDED = N_("superseded by %(label)s")
SUSPENDED = N_("suspended on %(date)s: %(reason)s")
EXPIRED = N_("expired on %(date)s")
