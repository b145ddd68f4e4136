"""The protection work items through real Providers, with ASR's channel carrying them (policies
PROTECTION_WORK_SECONDS, WORK_PENDING_RERUN, REPLICATION_REPORTED): each step reaches ASR at the next
poll on both sides, a change that time alone brings is sent at the first poll after the instant
``dr_deadline`` named, and an idle lab of replicating VMs sends nothing and runs nothing for hours."""

from __future__ import annotations

from typing import Any

from asr_emulator import AsrService
from asr_emulator.channel.work import Send, wait_for_work
from asr_emulator.policy import Scenario
from drlab.azure_transport import DEFAULT_SUBSCRIPTION
from scvmm_fake.provider import AsrProvider

from .pairing_lab import GiB
from .protection_lab import POLICY, ProtectionLab

HOUR = 3600.0
SCENARIO = Scenario("ProbeProtection", "Protection work", "ProtectionEntity", ())


class _Asr:
    """An ASR service on the lab's simulation with both VMM servers' Providers registered to a vault;
    ``work`` sends one work item to a site's Provider in a job of its own, and runs the lab until the
    job ends."""

    def __init__(self, lab: ProtectionLab) -> None:
        self.lab, self.sim = lab, lab.lab.sim
        self.service = AsrService(self.sim)
        self.vault = self.service.create_vault(DEFAULT_SUBSCRIPTION, "rg-dr", "vault1")
        self.providers = {}
        for site in (lab.primary, lab.recovery):
            provider = AsrProvider(site.vmm, trusted_roots=[self.service.channel.public_root])
            provider.register(self.service.channel.registration_key(self.vault).dumps())
            self.providers[site.vmm.name] = provider

    def work(self, site: Any, kind: str, payload: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        provider = self.providers[site.vmm.name]
        record = self.vault.channel.provider(provider.registration.provider_name)
        out: dict[str, Any] = {}
        wait = wait_for_work(self.service.channel, self.vault, task_id=self.service.backend.new_id(), name=kind,
                             friendly_name=kind, sends=lambda: [Send(record, kind, payload)],
                             collect=lambda items: out.update(items[0].result or {}))
        job = self.service.backend.start_job(self.vault, SCENARIO, target_object_id=payload.get("vmId", "vm"),
                                             target_object_name=payload.get("vmName", "vm"), tasks=[wait])
        self.sim.run_until(lambda: job.state in ("Succeeded", "Failed"), within=3600)
        return job, out

    def sent(self) -> dict[str, int]:
        """How many inventories each Provider has sent."""
        return {name: provider.store.sequence for name, provider in self.providers.items()}


def _recorded_inventories(monkeypatch: Any) -> list[tuple[float, str, dict[str, Any]]]:
    """Every inventory body the Providers build from now on, as (taken at, server, body); a body
    that was sent carries its ``sequence``."""
    from scvmm_fake.provider import agent
    bodies: list[tuple[float, str, dict[str, Any]]] = []
    original = agent.inventory_json

    def recording(inventory: Any, *encoder: Any) -> dict[str, Any]:
        body = original(inventory, *encoder)
        bodies.append((inventory.taken_at, inventory.server, body))
        return body
    monkeypatch.setattr(agent, "inventory_json", recording)
    return bodies


def _last_sent(bodies: list[tuple[float, str, dict[str, Any]]], server: str, vm_id: str) -> dict[str, Any] | None:
    """The entry of VM ``vm_id`` in the last inventory ``server`` sent (None if not in it)."""
    body = [body for _, name, body in bodies if name == server and "sequence" in body][-1]
    found = [vm for cloud in body["clouds"] for vm in cloud["vms"] if vm["vmId"] == vm_id]
    return found[0] if found else None


def _protect_through_providers(asr: _Asr, vm: Any) -> str:
    lab = asr.lab
    job, placed = asr.work(lab.recovery, "CreateProtectionTarget", lab.payload(vm))
    assert job.state == "Succeeded", job.errors
    job, enabled = asr.work(lab.primary, "EnableProtection", {
        "vmmVmId": vm.id, "vmName": vm.name, "recoveryHost": placed["recoveryHost"], "settings": lab.settings})
    assert job.state == "Succeeded" and enabled == {"replicaVmId": vm.vm_id}
    job, started = asr.work(lab.primary, "StartInitialReplication", {
        "vmmVmId": vm.id, "method": "OverNetwork", "startTime": None, "exportPath": None})
    assert job.state == "Succeeded" and started == {"initialReplication": "InProgress"}
    return str(placed["recoveryHost"])


def test_through_the_providers_protection_runs_and_an_idle_replicating_lab_sends_nothing_for_hours() -> None:
    lab = ProtectionLab.with_corp()
    corp = lab.networks[lab.primary.vmm.name]["Corp"]
    vms = [lab.vm(f"web{i}", corp) for i in range(3)]
    asr = _Asr(lab)
    for vm in vms:
        _protect_through_providers(asr, vm)
    pending = [e for e in asr.sim.history.select(op="provider.work", phase="info") if "pending" in e.details]
    assert pending and {e.details["kind"] for e in pending} == {"EnableProtection"}  # policy WORK_PENDING_RERUN
    asr.sim.advance(HOUR)  # initial replication ends; both Providers report it, then stand down
    for vm in vms:
        for site, mode in ((lab.primary, "Primary"), (lab.recovery, "Replica")):
            reported = lab.reported(site, vm.vm_id)
            assert reported.replication.mode == mode and reported.replication.state == "Replicating"
    sent, events = asr.sent(), len(asr.sim.history)
    asr.sim.advance(10 * HOUR)  # 1,200 replication cycles of each VM
    assert asr.sent() == sent  # no new inventory: a cycle is not an event
    assert len(asr.sim.history) - events < 10  # and the lab ran (almost) nothing meanwhile


def test_through_the_providers_each_step_reaches_asr_at_the_next_poll_on_both_sides(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bodies = _recorded_inventories(monkeypatch)
    lab = ProtectionLab.with_corp()
    vm = lab.vm("big", lab.networks[lab.primary.vmm.name]["Corp"], disk_bytes=1024 * GiB)  # IR takes over an hour
    asr = _Asr(lab)
    ny, chi = lab.primary.vmm.name, lab.recovery.vmm.name
    assert _last_sent(bodies, ny, vm.vm_id)["replication"] is None
    _protect_through_providers(asr, vm)
    asr.sim.advance(120)
    for server, mode in ((ny, "Primary"), (chi, "Replica")):
        replication = _last_sent(bodies, server, vm.vm_id)["replication"]
        assert (replication["mode"], replication["initialReplication"]) == (mode, "InProgress")
        assert replication["health"] == "Warning" and replication["cycleAnchor"] is None  # IR not complete (§2.5)
    asr.sim.advance(2 * HOUR)
    for server in (ny, chi):
        replication = _last_sent(bodies, server, vm.vm_id)["replication"]
        assert (replication["state"], replication["health"], replication["initialReplication"]) == (
            "Replicating", "Normal", "Completed")
        assert replication["cycleAnchor"] is not None and replication["frequencySeconds"] == 30


def test_through_the_providers_disable_deletes_the_replica_and_the_inventories_follow() -> None:
    lab = ProtectionLab.with_corp()
    vm = lab.vm("web", lab.networks[lab.primary.vmm.name]["Corp"])
    asr = _Asr(lab)
    host = asr.lab.lab.fabric.host(_protect_through_providers(asr, vm))
    asr.sim.advance(HOUR)
    sent = asr.sent()
    job, out = asr.work(lab.primary, "DisableProtectionOnPrimary", {"vmmVmId": vm.id})
    assert job.state == "Succeeded" and out == {}
    job, out = asr.work(lab.recovery, "DisableProtectionOnSecondary",
                        {"vmId": vm.vm_id, "vmName": vm.name, "deleteReplica": True})
    assert job.state == "Succeeded" and out == {"replicaDeleted": True}
    asr.sim.advance(5 * 60)
    assert host.find_vm_by_id(vm.vm_id) is None
    assert all(asr.sent()[name] > sent[name] for name in sent)  # both sides reported the change


def test_through_the_providers_a_refused_enable_fails_its_work_item_with_hyperv_s_reason() -> None:
    lab = ProtectionLab.with_corp()
    vm = lab.vm("web", lab.networks[lab.primary.vmm.name]["Corp"])
    asr = _Asr(lab)
    job, _ = asr.work(lab.primary, "EnableProtection", {
        "vmmVmId": vm.id, "vmName": vm.name, "recoveryHost": "hv-nowhere.chi.contoso.com", "settings": lab.settings})
    assert job.state == "Failed"
    assert "Enable-VMReplication" in job.errors[0].failure.message
    job, _ = asr.work(lab.recovery, "CreateProtectionTarget", {**lab.payload(vm), "recoveryCloudId": "nope"})
    assert job.state == "Failed" and "no cloud with id 'nope'" in job.errors[0].failure.message


def test_a_thousand_replicating_vms_cost_o1_per_poll_and_nothing_per_virtual_day(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from hyperv_fake import HyperVHost
    from simcore import Fail, FaultRule, Match
    lab = ProtectionLab.with_corp(recovery_hosts=4)
    corp = lab.networks[lab.primary.vmm.name]["Corp"]
    vms = [lab.vm(f"web{i}", corp) for i in range(1000)]
    hosts = [lab.target(vm)["recoveryHost"] for vm in vms]
    payloads = [{"jobName": "j", "vmmVmId": vm.id, "vmName": vm.name, "recoveryHost": host, "settings": lab.settings}
                for vm, host in zip(vms, hosts)]
    for payload in payloads:  # every Enable-VMReplication under way at once, as ASR's jobs would run them
        lab.primary.vmm.enable_protection(payload)
    lab.lab.sim.advance(5)
    for vm, payload in zip(vms, payloads):
        assert lab.primary.vmm.enable_protection(payload) == {"replicaVmId": vm.vm_id}
        lab.start_ir(vm)
    asr = _Asr(lab)
    asr.sim.advance(HOUR)
    replicas = [v for c in lab.recovery.vmm.dr_inventory().clouds for v in c.vms if v.replication is not None]
    assert len(replicas) == 1000 and {v.replication.state for v in replicas} == {"Replicating"}
    sent, events = asr.sent(), len(asr.sim.history)
    asr.sim.advance(24 * HOUR)  # 2,880 cycles of each of 1,000 VMs
    assert asr.sent() == sent and len(asr.sim.history) == events  # nothing ran at all
    readings = []
    original = HyperVHost.replication_outlook
    monkeypatch.setattr(HyperVHost, "replication_outlook",
                        lambda self, vm_id: readings.append(vm_id) or original(self, vm_id))
    asr.sim.faults.add(FaultRule(Fail(), Match(point="nowhere")))  # a fault plan: Providers poll for real
    asr.sim.advance(HOUR)
    polls = [e for e in asr.sim.history.select(op="provider.poll", phase="ok")]
    assert len(polls) >= 2 * 59 and readings == [] and asr.sent() == sent  # each poll O(1): nothing read again


def test_a_change_time_alone_brings_is_reported_at_the_first_poll_after_it_though_providers_stood_down(
        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Pausing the replica is an event (both Providers wake); the primary's next cycle failing is not —
    the Providers, stood down, wake for it at ``dr_deadline`` (policy REPLICATION_HEALTH_REPORTED)."""
    bodies = _recorded_inventories(monkeypatch)
    lab = ProtectionLab.build(settings={**POLICY, "replicationFrequencyInSeconds": 900})
    corp = lab.network(lab.primary, "Corp")
    lab.map(corp, lab.network(lab.recovery, "Corp-R"))
    vm = lab.vm("web", corp)
    host = lab.lab.fabric.host(lab.protect(vm))
    asr = _Asr(lab)
    asr.sim.advance(HOUR)
    anchor = lab.reported(lab.primary, vm.vm_id).replication.cycle_anchor
    host.suspend_vm_replication("web")
    paused_at = asr.sim.clock.now
    asr.sim.advance(2 * HOUR)
    failed_cycle = anchor + ((paused_at - anchor) // 900 + 1) * 900  # the first cycle the paused replica refuses

    def primary_health(body: dict[str, Any]) -> str:
        (reported,) = [v for c in body["clouds"] for v in c["vms"] if v["vmId"] == vm.vm_id]
        return str(reported["replication"]["health"])
    mine = [(at, body) for at, server, body in bodies if server == lab.primary.vmm.name and at > paused_at]
    woken = [at for at, body in mine if at < failed_cycle]
    assert woken and all(primary_health(body) == "Normal" and "sequence" not in body  # rebuilt, nothing new
                         for at, body in mine if at < failed_cycle)
    sent_after = [(at, primary_health(body)) for at, body in mine if "sequence" in body]
    assert sent_after[0][1] == "Critical"
    assert failed_cycle <= sent_after[0][0] <= failed_cycle + 60  # at the first poll after the failed cycle
    assert any(paused_at < e.time < failed_cycle for e in asr.sim.history.select(op="provider.idle")
               if e.node == lab.primary.vmm.name)  # it had stood down in between
    assert len(sent_after) == 1  # and the retries that follow change nothing reported
