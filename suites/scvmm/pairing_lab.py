"""Two VMM servers on one lab, each with a cloud of Hyper-V hosts, paired step by step as ASR's
pairing workflow would drive them: every payload and result goes through ``json`` on the way, as it
would through ASR's work items. What the hosts then hold is read from the hosts alone."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hyperv_fake import HyperVFabric, HyperVHost, ReplicationState
from scvmm_fake import Cloud, CloudPairing, Credential, HostGroup, RunAsAccount, VMMServer, pairing_problems
from simcore import Simulation

GiB = 2**30
CERTIFICATE = {"authenticationType": "Certificate", "port": 8084}
KERBEROS = {"allowedAuthenticationType": 1, "replicationPort": 8083}  # the ASR policy's own encoding
PAIRING_ID = "6f1c2a0e-0000-4000-8000-000000000001"


def relayed(data: Any) -> Any:
    """``data`` as the other side receives it through ASR: JSON text, parsed again."""
    return json.loads(json.dumps(data))


@dataclass
class PairingSite:
    """One datacenter: its VMM server, host group(s), cloud and hosts."""

    vmm: VMMServer
    admin: RunAsAccount
    groups: list[HostGroup]
    cloud: Cloud
    domain: str
    hosts: list[HyperVHost] = field(default_factory=list)

    def add_host(self, fabric: HyperVFabric, *, group: int = 0) -> HyperVHost:
        """A new Hyper-V host of this site, managed by its VMM server in host group ``group``."""
        name = f"hv-{self.domain.split('.')[0]}{len(self.hosts) + 1}"
        host = fabric.add_host(name, fqdn=f"{name}.{self.domain}", domain="contoso.com")
        self.vmm.add_sc_vm_host(host, credential=self.admin, vm_host_group=self.groups[group])
        self.hosts.append(host)
        return host

    @property
    def record(self) -> CloudPairing:
        return self.vmm.cloud_pairings(self.cloud.name)[-1]


@dataclass
class PairingLab:
    sim: Simulation
    fabric: HyperVFabric
    primary: PairingSite
    recovery: PairingSite
    settings: dict[str, Any]

    @classmethod
    def build(cls, *, primary_hosts: int = 2, recovery_hosts: int = 2, settings: dict[str, Any] | None = None,
              seed: int = 7, groups: int = 1) -> PairingLab:
        sim = Simulation(seed)
        fabric = HyperVFabric(sim)
        sites = [_site(sim, short, groups) for short in ("ny", "chi")]
        lab = cls(sim, fabric, sites[0], sites[1], dict(settings or CERTIFICATE))
        for site, count in ((lab.primary, primary_hosts), (lab.recovery, recovery_hosts)):
            for index in range(count):
                site.add_host(fabric, group=index % groups)
        return lab

    def pair(self, pairing_id: str = PAIRING_ID) -> dict[str, Any]:
        """The pairing workflow's VMM steps on both sides, with ASR relaying the data; the results."""
        sites = (self.primary, self.recovery)
        server = {id(s): relayed(s.vmm.prepare_site_for_pairing()) for s in sites}
        cloud = {id(s): relayed(s.vmm.prepare_cloud_for_pairing(s.cloud.name, relayed(self.settings))) for s in sites}
        paired = {}
        for site, peer, role in ((self.primary, self.recovery, "Primary"), (self.recovery, self.primary, "Recovery")):
            paired[role] = relayed(site.vmm.pair_cloud(site.cloud.name, relayed({
                "pairingId": pairing_id, "role": role, "peerCloudId": peer.cloud.id,
                "peerRootCertificate": server[id(peer)]["rootCertificate"],
                "peerHosts": cloud[id(peer)]["hosts"], "settings": self.settings})))
        return {"server": server, "cloud": cloud, "paired": paired}

    def unpair(self, pairing_id: str = PAIRING_ID) -> None:
        for site in (self.primary, self.recovery):
            site.vmm.unpair_cloud(site.cloud.name, pairing_id)

    def problems(self) -> dict[str, list[str]]:
        """Every host of both clouds with its defects for its cloud's pairing (none when configured)."""
        found = {}
        for site in (self.primary, self.recovery):
            record = site.record
            for vm_host in site.cloud.hosts():
                found[vm_host.host.fqdn] = pairing_problems(vm_host.host, record)
        return found

    @property
    def port(self) -> int:
        return int(self.settings.get("port", self.settings.get("replicationPort", 0)))

    @property
    def auth(self) -> str:
        kind = self.settings.get("authenticationType", self.settings.get("allowedAuthenticationType"))
        return "Kerberos" if kind in ("Kerberos", 1) else "Certificate"

    def replicate(self, source: HyperVHost, target: HyperVHost, name: str) -> Any:
        """Enable replication of a new VM from ``source`` to ``target`` and run initial replication;
        the job that ended it (succeeded or not)."""
        source.new_vm(name)
        source.add_vm_hard_disk_drive(name, f"D:\\{name}.vhdx", size_bytes=GiB)
        thumbprint = source.get_vm_replication_server().certificate_thumbprint if self.auth == "Certificate" else None
        job = source.enable_vm_replication(name, target.fqdn, self.port, self.auth,
                                           certificate_thumbprint=thumbprint).wait()
        if not job.succeeded:
            return job
        job = source.start_vm_initial_replication(name).wait()
        if job.succeeded:
            assert source.get_vm_replication(name).state is ReplicationState.Replicating
        return job


def _site(sim: Simulation, short: str, groups: int) -> PairingSite:
    vmm = VMMServer(sim, f"vmm-{short}", fqdn=f"vmm-{short}.contoso.com")
    admin = vmm.new_sc_run_as_account("HostAdmin", credential=Credential("CONTOSO\\hvadmin", "secret"))
    made = [vmm.new_sc_vm_host_group(f"{short.upper()}-{index + 1}") for index in range(groups)]
    cloud = vmm.new_sc_cloud(f"Gold-{short.upper()}", vm_host_group=made, disaster_recovery_supported=True)
    return PairingSite(vmm, admin, made, cloud, f"{short}.contoso.com")


def host_state(host: HyperVHost) -> Any:
    """What pairing may change on a host, comparable between two runs."""
    return (host.replication_server, host.authorization.entries,
            tuple(sorted(stored.thumbprint for stored in host.certificates.personal_certificates)),
            len(host.certificates.roots), tuple(sorted(host.firewall_rules.items())),
            host.disable_cert_revocation_check)
