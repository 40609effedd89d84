"""The warnings a calculation stores on its result, as templates.

A result's warnings are part of the result, which is hashed (its sha256 is recorded and
signed), so they are stored as the English sentences below, filled in. They are module-level
templates (marked with N_, so translated in the catalogues) that the application recognises
in a stored result and shows in the reader's language (app/messages.py); this module is
light so the application can read them without the numerical stack.
"""

from __future__ import annotations

from lca_models.messages import N_

UNUSED_PROCESS = N_("process '%(process)s' (%(path)s) is not used by the reference flow and "
                    "contributes nothing")
FIXED_CO2E = N_("factor '%(factor)s' is published as CO2e (%(stated)s) and cannot be "
                "re-characterised to %(gwp_set)s")
FIXED_CO2E_UNSTATED = N_("factor '%(factor)s' is published as CO2e (GWP set not stated) and "
                         "cannot be re-characterised to %(gwp_set)s")
NEARLY_SINGULAR = N_(
    "the loop of process(es) %(names)s is nearly singular (condition estimate %(kappa)s, "
    "above %(limit)s): it consumes almost all it makes, so small errors in its amounts change "
    "the result greatly; check the amounts these processes take from one another")
REJECTED_DRAWS = N_(
    "%(rejected)s of %(iterations)s Monte Carlo draws (%(share)s) described a system that "
    "cannot exist (negative activity in a loop, or a singular matrix) and were left out of the "
    "statistics; the uncertainty stated on the inputs of a loop may be too wide")
