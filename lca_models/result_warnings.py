"""The warnings a calculation stores on its result, and the errors a failed calculation job
stores, as templates.

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
# A Monte Carlo job that fails keeps its error as text (jobs.error), shown on the job page.
SINGULAR = N_("the process network has no unique solution (singular matrix): a process may "
              "consume all of its own output, or a loop of processes consumes everything it "
              "makes (%(detail)s)")
NEGATIVE_ACTIVITY = N_(
    "process(es) %(names)s would have to run a negative amount: a loop consumes more than it "
    "produces; check the amounts of inputs between these processes")
TOO_MANY_REJECTED = N_(
    "%(rejected)s of %(iterations)s Monte Carlo draws describe a system that cannot exist (a "
    "loop consuming more than it produces, or a singular matrix); the uncertainty stated on "
    "the inputs of a loop is too wide for its amounts")
REJECTED_DRAWS = N_(
    "%(rejected)s of %(iterations)s Monte Carlo draws (%(share)s) described a system that "
    "cannot exist (negative activity in a loop, or a singular matrix) and were left out of the "
    "statistics; the uncertainty stated on the inputs of a loop may be too wide")
