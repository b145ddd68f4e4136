"""Property: for generated sequences of policy and job operations (valid and invalid), the emulator's
answers through the SDK match a simple model of the vault, and the same seed gives the same history."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from asr_emulator import AsrService
from drlab.budget import Budgeted
from drlab.azure_transport import DEFAULT_SUBSCRIPTION, site_recovery_client
from drlab.strategies import replication_policies
from simcore import Simulation

RG, VAULT = "rg", "vault1"
NAMES = st.sampled_from(["gold", "silver", "Gold"])  # "Gold" and "gold" are one ARM name


MUTATIONS = [("replicationPort", 0), ("replicationPort", "80"), ("allowedAuthenticationType", 0), ("compression", "On"),
             ("recoveryPoints", 99), ("replicaDeletion", "Maybe"), ("instanceType", "HyperVReplica2019")]


def expected_details(body: dict) -> dict:
    """The model: what the service should answer as providerSpecificDetails for an accepted input."""
    read_back = {"Enable": "Enabled", "Disable": "Disabled", "Required": "SecondaryVMOnRecoveryCloud",
                 "NotRequired": "None"}  # asr-orchestration.md §A.0.8 (NotRequired: policy)
    out = {"recoveryPoints": 0, "applicationConsistentSnapshotFrequencyInHours": 0, "compression": "Disabled",
           "initialReplicationMethod": "OverNetwork", "allowedAuthenticationType": 2, "replicaDeletionOption": "None",
           "offlineReplicationImportPath": "", "offlineReplicationExportPath": ""}
    if body["instanceType"] == "HyperVReplica2012R2":
        out["replicationFrequencyInSeconds"] = 300
    for key, value in body.items():
        value = read_back.get(value, value) if key in ("compression", "replicaDeletion") else value
        out["replicaDeletionOption" if key == "replicaDeletion" else key] = value
    return out


class Driver:
    """Runs operations through the SDK against a fresh lab; returns comparable outcomes."""

    def __init__(self, seed: int) -> None:
        self.sim = Simulation(seed=seed)
        self.service = AsrService(self.sim)
        self.service.create_vault(DEFAULT_SUBSCRIPTION, RG, VAULT)
        self.asr = site_recovery_client(self.service)

    def run(self, op: str, *args):
        policies, jobs = self.asr.replication_policies, self.asr.replication_jobs
        try:
            if op == "create":
                return ("ok", policies.begin_create(RG, VAULT, args[0], {"properties": {"providerSpecificInput": args[1]}}).result().as_dict())
            if op == "update":
                return ("ok", policies.begin_update(RG, VAULT, args[0], {"properties": {"replicationProviderSettings": args[1]}}).result().as_dict())
            if op == "delete":
                return ("ok", policies.begin_delete(RG, VAULT, args[0]).result())
            if op == "get":
                return ("ok", policies.get(RG, VAULT, args[0]).as_dict())
            if op == "snapshot":
                policies_now = {p.name.lower(): p.properties.provider_specific_details.as_dict() for p in policies.list(RG, VAULT)}
                jobs_now = [(j.properties.scenario_name, j.properties.state) for j in reversed(list(jobs.list(RG, VAULT)))]
                return ("ok", policies_now, jobs_now)
            if op in ("restart", "cancel"):  # args[0]: the job's index, oldest first
                names = [job.name for job in reversed(list(jobs.list(RG, VAULT)))]
                poller = getattr(jobs, f"begin_{op}")(RG, VAULT, names[args[0] % len(names)])
                return ("ok", poller.result().as_dict())
            raise AssertionError(op)
        except ResourceNotFoundError as error:
            return ("404", error.error.code, error.error.target)
        except HttpResponseError as error:
            return (str(error.status_code), error.error.code, error.error.target)


class PolicyMachine(Budgeted, RuleBasedStateMachine):
    @initialize(seed=st.integers(0, 3))
    def start(self, seed):
        self.seed = seed
        self.driver = Driver(seed)
        self.steps: list[tuple] = []
        self.policies: dict[str, tuple[str, dict, dict]] = {}  # folded name -> (name, input, expected details)
        self.jobs: list[dict] = []  # oldest first: {"scenario", "state", "name", "input"}

    def do(self, op, *args):
        self.steps.append((op, *args))
        return self.driver.run(op, *args)

    @rule(name=NAMES, body=replication_policies())
    def create(self, name, body):
        outcome = self.do("create", name, body)
        if name.lower() in self.policies:
            # the status poll answers 200 + status Failed; azure-core raises with the body's error (§B.1.1)
            assert outcome == ("200", "150261", None)
            self.jobs.append({"scenario": "AddProtectionProfile", "state": "Failed", "name": name, "input": body})
        else:
            assert outcome[0] == "ok" and outcome[1]["properties"]["providerSpecificDetails"] == {**expected_details(body)}
            self.policies[name.lower()] = (name, body, expected_details(body))
            self.jobs.append({"scenario": "AddProtectionProfile", "state": "Succeeded", "name": name, "input": body})

    @rule(name=NAMES, body=replication_policies(), mutation=st.sampled_from(MUTATIONS))
    def create_invalid(self, name, body, mutation):
        field, value = mutation
        outcome = self.do("create", name, {**body, field: value})
        assert outcome[0] == "400" and outcome[2] == f"properties.providerSpecificInput.{field}"

    @rule(name=NAMES, port=st.integers(1, 65535), auth=st.sampled_from([1, 2]), bad=st.booleans())
    def update(self, name, port, auth, bad):
        current = self.policies.get(name.lower())
        kind = current[1]["instanceType"] if current else "HyperVReplica2012R2"
        change = {"instanceType": kind, "replicationPort": 0 if bad else port, "allowedAuthenticationType": auth}
        outcome = self.do("update", name, change)
        if current is None:
            assert outcome[0] == "404"
        elif bad:
            assert outcome[:2] == ("400", "InvalidParameter")
        else:
            body = {**current[1], "replicationPort": port, "allowedAuthenticationType": auth}
            assert outcome[0] == "ok" and outcome[1]["properties"]["providerSpecificDetails"] == expected_details(body)
            self.policies[name.lower()] = (current[0], body, expected_details(body))
            self.jobs.append({"scenario": "UpdateProtectionProfile", "state": "Succeeded", "name": current[0]})

    @rule(name=NAMES)
    def delete(self, name):
        outcome = self.do("delete", name)
        current = self.policies.pop(name.lower(), None)
        if current is None:
            assert outcome[0] == "404"
        else:
            assert outcome == ("ok", None)
            self.jobs.append({"scenario": "DeleteProtectionProfile", "state": "Succeeded", "name": current[0]})

    @precondition(lambda self: self.jobs)
    @rule(index=st.integers(0, 50), action=st.sampled_from(["restart", "cancel"]))
    def job_action(self, index, action):
        job = self.jobs[index % len(self.jobs)]
        outcome = self.do(action, index)
        if action == "cancel" or job["state"] == "Succeeded":
            assert outcome[:2] == ("400", "JobActionNotAllowed")
            return
        if job["name"].lower() in self.policies:
            assert outcome[0] == "ok" and outcome[1]["properties"]["state"] == "Failed"
        else:
            assert outcome[0] == "ok" and outcome[1]["properties"]["state"] == "Succeeded"
            job["state"] = "Succeeded"
            self.policies[job["name"].lower()] = (job["name"], job["input"], expected_details(job["input"]))

    @invariant()
    def vault_matches_the_model(self):
        if not hasattr(self, "driver"):
            return
        _, listed, jobs = self.do("snapshot")
        assert listed == {key: details for key, (_, _, details) in self.policies.items()}
        assert jobs == [(j["scenario"], j["state"]) for j in self.jobs]

    def teardown(self):
        try:
            if hasattr(self, "driver"):
                replay = Driver(self.seed)
                for step in self.steps:
                    replay.run(*step)
                assert replay.sim.history.dumps() == self.driver.sim.history.dumps()
        finally:
            super().teardown()  # Budgeted: a soak run's budget may end the test after this example


TestPolicyMachine = PolicyMachine.TestCase
