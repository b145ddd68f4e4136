"""A recovery-plan script step on the VMM server the action names (hyperv-scvmm.md §5.7;
``scvmm_fake._cmdlets_scripts``): the work ASR's plan job sends for a ``ScriptActionDetails`` action.

* ``RunRecoveryPlanScript`` ``{jobName, runId, path}`` → ``{output, error}``: the script at ``path`` of
  the library share, run once; the item stays in flight (``WorkPending``) until the script's time on the
  lab clock is up. ``error`` is ``{errorCode, errorMessage}`` (policy ``SCRIPT_ERROR_CODES``) when the
  script failed or timed out, else null: the Provider ran the step, the report says how the script did.
  A script missing from the library fails the item (``WORK_ERROR_CODES["ScriptNotFound"]``).
* Abandoned (its plan job stopped), the run is stopped on the VMM server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..policy import SCRIPT_ERROR_CODES
from . import WorkPending, executes

if TYPE_CHECKING:
    from ..agent import AsrProvider


def _stop(provider: AsrProvider, payload: dict[str, Any]) -> None:
    provider.vmm.stop_recovery_plan_script(payload)


@executes("RunRecoveryPlanScript", abandon=_stop)
def run_recovery_plan_script(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    result = provider.vmm.run_recovery_plan_script(payload)
    if result is None:
        raise WorkPending("the script is running")
    error = result["error"]
    return {"output": result["output"], "error": None if error is None else {
        "errorCode": SCRIPT_ERROR_CODES[error["kind"]], "errorMessage": error["message"]}}
