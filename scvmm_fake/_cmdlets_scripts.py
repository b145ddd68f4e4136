"""Running a recovery-plan script on this VMM server: what the ASR Provider does for a plan's script
step (hyperv-scvmm.md §5.7; the rules are ``_scripts``).

``run_recovery_plan_script`` starts the script found at the path of the default library share (policy
``VmmPolicy.default_library_share``) when first called for a run, ends it when its time on the lab clock
is up (a timer), and answers None until then, then its result — so it converges when called again, like the other operations the
Provider polls. ``stop_recovery_plan_script`` ends a run whose step was abandoned (its plan job stopped).
History: ``vmm.script`` info with ``run``, ``path``, ``state`` (Running, Succeeded, Failed, Stopped).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simcore import Timer

from ._cmdlets_accounts import LibraryCmdlets
from ._protection_record import text
from ._scripts import ScriptContext, ScriptVerdict, judge_script

if TYPE_CHECKING:
    from ._server import VMMServer

__all__ = ["ScriptCmdlets"]


@dataclass(eq=False)
class _Run:
    path: str
    verdict: ScriptVerdict
    timer: Timer | None = None
    ended: bool = False


class ScriptCmdlets(LibraryCmdlets):
    """``run_recovery_plan_script`` / ``stop_recovery_plan_script`` (not cmdlets: the Provider calls them)."""

    def _script_runs(self) -> dict[str, _Run]:
        """Run id → the script run started for it and not yet answered."""
        state: dict[str, _Run] = self.__dict__.setdefault("_recovery_plan_script_runs", {})
        return state

    def run_recovery_plan_script(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Run ``{runId, path}``: ``{output, error: {kind, message} | None}`` once it ended (its end is
        recorded when its time is up, on the lab clock), None while it runs; ``ScriptNotFound`` if no
        script is at ``path``."""
        run_id, path = text(payload, "runId"), text(payload, "path")
        runs = self._script_runs()
        run = runs.get(run_id)
        if run is None:
            script = self.find_library_script(path)
            server: VMMServer = self  # type: ignore[assignment]  # the mixins make up a VMMServer
            run = runs[run_id] = _Run(script.path, judge_script(script.body, script.text,
                                                                 ScriptContext(server, script.path)))
            self._script_event(run_id, run, "Running")
            run.timer = self.sim.scheduler.call_later(run.verdict.seconds, lambda: self._script_ended(run_id, run),
                                                      label=f"vmm script {run_id}")
        if not run.ended:
            return None
        del runs[run_id]
        failure = run.verdict.failure
        error = None if failure is None else {"kind": failure[0], "message": failure[1]}
        return {"output": run.verdict.output, "error": error}

    def _script_ended(self, run_id: str, run: _Run) -> None:
        run.ended, run.timer = True, None
        self._script_event(run_id, run, "Succeeded" if run.verdict.failure is None else "Failed")

    def stop_recovery_plan_script(self, payload: dict[str, Any]) -> None:
        """End the run ``{runId}`` without a result (nothing if it is not running)."""
        run_id = text(payload, "runId")
        run = self._script_runs().pop(run_id, None)
        if run is not None and not run.ended:
            if run.timer is not None:
                run.timer.cancel()
            self._script_event(run_id, run, "Stopped")

    def _script_event(self, run_id: str, run: _Run, state: str) -> None:
        self.sim.history.record(self.name, "vmm.script", "info", {"run": run_id, "path": run.path, "state": state})
