"""Policies of recovery plans: their limits, allowed operations, jobs and plan-job task tree."""

from __future__ import annotations

from ._jobs import Scenario, TaskTiming

# -- recovery plans (hyperv-scvmm.md §5.7, asr-orchestration.md §A.5, §B.3) ------------------------

#: Fact (§5.7, §6 of hyperv-scvmm.md: "You can have up to seven groups"; "up to 100 protected
#: instances"). Policy: the seven are Boot groups (the Shutdown and Failover groups the service adds
#: are not counted), and both limits are refused at the request (400), nothing stored.
MAX_PLAN_BOOT_GROUPS = 7
MAX_PLAN_ITEMS = 100

#: Fact (§B.3.1): a VMM-to-VMM plan reads ``failoverDeploymentModel "NotApplicable"``. Policy: it
#: reads so whatever the input sent (the model only distinguishes failovers to Azure).
PLAN_DEPLOYMENT_MODEL = "NotApplicable"

#: Fact (§B.3.1): an idle plan allows ``["PlannedFailover","UnplannedFailover","TestFailover"]``.
#: Policy: a plan allows, in this order, each plan operation that every one of its items allows
#: (an empty plan: the recorded three); nothing while a plan job runs.
PLAN_OPERATIONS = ("PlannedFailover", "UnplannedFailover", "TestFailover", "TestFailoverCleanup", "Commit",
                   "ReverseReplicate")
PLAN_IDLE_OPERATIONS = ("PlannedFailover", "UnplannedFailover", "TestFailover")

#: Policy: the ``failoverTypes`` an action may name: the plan's failover kinds (the portal offers
#: Test, Failover, Planned failover, §5.7); another ``ReplicationProtectedItemOperation`` is refused.
PLAN_ACTION_FAILOVER_TYPES = ("PlannedFailover", "UnplannedFailover", "TestFailover")

#: Facts (§B.3.2): the update and delete jobs, their task names and recorded durations (0.16 s,
#: 15 ms). Policy: the create job (not recorded), after the update's pattern; task ids are GUIDs.
CREATE_PLAN_SCENARIO = Scenario(
    "CreateRecoveryPlan", "Create a recovery plan", "RecoveryPlan",
    (TaskTiming("CreateRecoveryPlanTask", "Create a recovery plan task", 0.16),))
UPDATE_PLAN_SCENARIO = Scenario(
    "UpdateRecoveryPlan", "Save a recovery plan", "RecoveryPlan",
    (TaskTiming("SaveRecoveryPlanTask", "Save a recovery plan task", 0.16),))
DELETE_PLAN_SCENARIO = Scenario(
    "DeleteRecoveryPlan", "Delete a recovery plan", "RecoveryPlan",
    (TaskTiming("DeleteRecoveryPlanTask", "Delete a recovery plan task", 0.015),))

#: Facts (§B.3.3, an **A2A** plan failover; no VMM-to-VMM plan job was recorded, §B NOT FOUND 3):
#: the plan job's scenario is the item operation's (``UnplannedFailover`` / "Failover") with target
#: type ``RecoveryPlan``; its tasks are the prerequisites check (3.3 s), the shutdown group
#: ("All groups shutdown (N)"), the failover group ("Recovery plan failover"), one group per Boot
#: group ("Group k: Start (N)") and "Finalizing the recovery plan" (0.1 s). Policy: the same tree for
#: every plan failover kind of VMM-to-VMM, its shutdown group ``Skipped`` for a test failover and an
#: unplanned one without source-side operations; the plan jobs of cleanup, commit and reverse
#: replication run the prerequisites, one parallel group of the items' jobs, and the end task.
PLAN_PREREQUISITES = TaskTiming("RpSrsPrerequisitesCheck", "Prerequisites check for the recovery plan", 3.3)
PLAN_END = TaskTiming("EndRecoveryPlanTask", "Finalizing the recovery plan", 0.1)
PLAN_SCENARIOS: dict[str, Scenario] = {op: Scenario(name, friendly, "RecoveryPlan", ()) for op, name, friendly in (
    ("PlannedFailover", "PlannedFailover", "Planned failover"),
    ("UnplannedFailover", "UnplannedFailover", "Failover"),
    ("TestFailover", "TestFailover", "Test failover"),
    ("TestFailoverCleanup", "TestFailoverCleanup", "Test failover cleanup"),
    ("Commit", "CommitFailover", "Commit"),
    ("ReverseReplicate", "ReverseReplication", "Reverse replication"),
)}

#: Policy: a plan's per-VM failover job holds before "Start failover" (planned, and unplanned with
#: source-side operations: until every VM of the plan shut down) and before starting the VM (until
#: the VM's boot group starts), each hold a task of that job named so (the VM's job reads the plan's
#: ordering). A hold not released within the hold timeout fails its job (two weeks: the longest a
#: test failover stays up before the service completes it, hyperv-scvmm.md §5.6); a plan job that
#: stops (fails, is cancelled) fails the jobs it holds. The boot group's VM task points at that same
#: per-VM job (the A2A record shows another child job per group; its scenario was not recorded).
PLAN_HOLD_TASKS = {
    "failover": TaskTiming("VmWaitForRecoveryPlanFailover", "Waiting for the recovery plan's failover", 0.0),
    "boot": TaskTiming("VmWaitForRecoveryPlanBootGroup", "Waiting for the recovery plan's boot group", 0.0),
}
PLAN_HOLD_TIMEOUT_SECONDS = 14 * 24 * 3600.0

#: Policy (hyperv-scvmm.md §5.7: "Whether other VMs in the same group keep running after one VM fails
#: in a planned failover is NOT FOUND"): the VMs of a group run to their end, then a planned failover
#: stops (its job ``Failed``, later groups ``NotStarted``); an unplanned one runs every group and
#: action and ends ``Failed`` with every error recorded (fact: it "runs to completion", §5.6).
PLAN_PLANNED_STOPS_AFTER_GROUP = True

#: Policy (no plan job with action tasks was recorded, asr-orchestration.md §B NOT FOUND 3): each action
#: is one task named by its kind, its ``actionName`` the friendly name, its ``customDetails`` the SDK
#: model of its kind (``ManualActionTaskDetails``, ``ScriptActionTaskDetails``,
#: ``AutomationRunbookTaskDetails``, asr-api.md §9).
PLAN_ACTION_TASK_NAMES = {"ManualActionDetails": "ManualActionTask", "ScriptActionDetails": "ScriptActionTask",
                          "AutomationRunbookActionDetails": "AutomationRunbookTask"}

#: Policy: the action's ``fabricLocation`` names one of the plan's fabrics — Primary its
#: ``primaryFabricId``, Recovery its ``recoveryFabricId`` — whichever way the plan fails over (the
#: task's ``isPrimarySideScript`` says which); a script runs on that fabric's VMM server (its Provider).
PLAN_ACTION_LOCATION = "the plan's fabric"

#: Policy: how long a plan job waits for a script step's report: the script's documented 600 s
#: (hyperv-scvmm.md §5.7) plus the Provider's report delay a work item may take (channel policy
#: ``WORK_TIMEOUT_SECONDS``); the script's own timeout is the VMM's to judge. The action's
#: ``timeout`` is kept as given and not applied (the documented limit is fixed).
PLAN_SCRIPT_WAIT_SECONDS = 600.0 + 1800.0

#: Policy (the reference gives no runbook limit): a runbook's automation job that has not ended after
#: this long fails its task and is stopped, as a script's 600 s. The action's ``timeout`` is not applied.
PLAN_RUNBOOK_TIMEOUT_SECONDS = 600.0

#: Fact (hyperv-scvmm.md §5.7): current docs offer Azure Automation runbooks only for failover to or
#: from Azure; the source material describes them for VMM-to-VMM plans too. Policy: runbook actions
#: run here; a service made with ``strict=True`` refuses a plan that holds one
#: (``catalogue.PLAN_RUNBOOK_NOT_SUPPORTED``), as the current service offers none.
PLAN_RUNBOOKS_RUN = True

#: Facts [D:ASR-Runbooks] (hyperv-scvmm.md §5.7): the recovery plan context a runbook receives is
#: ``{RecoveryPlanName, FailoverType: Test|Planned|Unplanned, FailoverDirection:
#: PrimaryToSecondary|SecondaryToPrimary, GroupId, VmMap}``, ``VmMap`` keyed by the VMM id of each VM
#: of the group, its Azure fields populated only once that VM failed over. Policy for VMM-to-VMM:
#: ``GroupId`` is the Boot group's number ("1", "2", …) or "Shutdown" / "Failover"; the VmMap key is
#: the item's VMM VM id on the primary; each entry is ``{SubscriptionId: the vault's, ResourceGroupName:
#: "", CloudServiceName: the recovery cloud once failed over, RoleName: the VM's name once failed over,
#: RecoveryPointId: ""}`` (empty strings until then).
RUNBOOK_FAILOVER_TYPES = {"TestFailover": "Test", "PlannedFailover": "Planned", "UnplannedFailover": "Unplanned"}
RUNBOOK_DIRECTIONS = {"PrimaryToRecovery": "PrimaryToSecondary", "RecoveryToPrimary": "SecondaryToPrimary"}

#: Policy (§5.8: failed jobs "can be restarted"; §5.7: a planned failover that stopped at an error is fixed
#: and run again): restarting a failed or cancelled plan job runs it again from its first unfinished task
#: — what succeeded (shutdown, failover, earlier groups and actions) is not run again, the failed group
#: and its actions are — after rearming the holds of its VMs' jobs and restarting those jobs that failed
#: or were cancelled from where they stopped (a VM already failed over is not failed over again).
PLAN_RESTART = "from the first unfinished task, the VMs' jobs restarted"

#: Policy (Azure Automation is not in the reference): an automation job a runbook action starts is
#: ``Running`` from its start, then ``Completed``, ``Failed`` (the runbook raised, or declared an
#: exception) or ``Stopped`` (stopped before its end: its plan job stopped or the runbook timed out);
#: a callable runbook runs when its job starts, and the job ends once the virtual seconds it slept (or
#: declared) have passed (``asr_emulator.automation``).
AUTOMATION_JOB_STATUSES = ("Running", "Completed", "Failed", "Stopped")
