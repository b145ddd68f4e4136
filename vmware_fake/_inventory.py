"""What the configuration server's agent reports to the vault: its components and every machine it can
protect (PROTOCOL.md §5.3), as JSON-ready dicts in a deterministic order (insertion order throughout;
datastore sizes in GiB, as strings, as the SDK's ``DataStore`` has them).

The fields are the SDK 2.0.0 models' where the vault shows them as they are (``ProcessServer``,
``MasterTargetServer``, ``RunAsAccount``, ``RetentionVolume``, ``DataStore``); machines carry what
``VMwareVirtualMachineDetails`` and ``InMageDiskDetails`` need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._machines import Machine, VirtualMachine
from ._replication import ReplicationPair
from ._vcenter import GIB
from .policy import DISK_TYPES

if TYPE_CHECKING:
    from ._configuration_server import ConfigurationServer

__all__ = ["take_inventory"]


def _machine(cs: ConfigurationServer, machine: Machine) -> dict[str, Any]:
    agent = machine.mobility
    server = cs.machine_process_server.get(machine.id)
    return {
        "id": machine.id, "name": machine.name, "discoveryType": machine.discovery_type,
        "osType": machine.os_type, "osName": machine.os_name, "poweredOn": machine.powered_on,
        "ipAddress": machine.ip_address,
        "host": machine.host if isinstance(machine, VirtualMachine) else None,
        "disks": [{"id": disk.id, "name": disk.name, "sizeBytes": disk.size_bytes,
                   "type": DISK_TYPES[0] if index == 0 else DISK_TYPES[1], "datastore": disk.datastore}
                  for index, disk in enumerate(machine.disks)],
        "nics": [{"name": nic.name, "network": nic.network, "mac": nic.mac, "ipAddress": nic.ip_address}
                 for nic in machine.nics],
        "agent": None if agent is None else {"id": agent.agent_id, "version": agent.version,
                                             "processServerId": None if server is None else server.id},
    }


def _vm(cs: ConfigurationServer, vm: VirtualMachine) -> dict[str, Any]:
    return {"id": vm.id, "name": vm.name, "vCenter": cs.vcenters[vm.vcenter.lower()].name, "host": vm.host,
            "poweredOn": vm.powered_on,
            "nics": [{"name": nic.name, "network": nic.network, "ipAddress": nic.ip_address} for nic in vm.nics]}


def _pair(cs: ConfigurationServer, pair: ReplicationPair) -> dict[str, Any]:
    """A pair as the vault sees it now (policy ``POINTS_AS_OF_INVENTORY``); ``machineId`` is the
    original machine's whatever the direction, ``lastRecoveryPoint`` the newest instant its group's
    master targets hold."""
    now = cs.sim.clock.now
    window = cs.protection.window(pair, now)
    held = pair.held(now)
    rpo = None if held is None or pair.stopped is not None else now - held  # the pair's own lag
    failover = pair.failover or pair.test
    return {
        "machineId": pair.origin.id, "machineName": pair.origin.name, "sourceMachineId": pair.machine.id,
        "direction": pair.direction, "processServerId": pair.process_server.id,
        "masterTargetId": pair.master_target.id, "retentionDrive": pair.retention_drive,
        "multiVmGroupId": pair.group_id, "multiVmGroupName": pair.group_name,
        "multiVmSyncStatus": "Enabled" if pair.settings.multi_vm else "Disabled",
        "protectionStage": pair.stage(now), "initialReplicationProgress": pair.progress(now), "rpoInSeconds": rpo,
        "rpoThresholdInSeconds": pair.settings.rpo_threshold,
        "retentionWindowStart": None if window is None else window[0],
        "retentionWindowEnd": None if window is None else window[1],
        "lastRecoveryPoint": None if window is None else window[1],
        "recoveryPoints": [point.describe() for point in cs.protection.points(pair, now)],
        "failover": None if pair.failover is None else pair.failover.describe(),
        "testFailover": None if pair.test is None else pair.test.describe(),
        "recoveryVm": None if failover is None else _vm(cs, failover.vm),
        "protectedDisks": [{"diskId": disk.id, "diskName": disk.name, "rpoInSeconds": rpo, "resyncRequired": False,
                            "psDataInMB": 0, "targetDataInMB": 0} for disk in pair.disks],
    }


def take_inventory(cs: ConfigurationServer) -> dict[str, Any]:
    """The CS's inventory now (without ``sequence``, which the agent stamps)."""
    machines = cs.machines()
    agents = [m for m in machines if m.mobility is not None]
    return {
        "configurationServer": {"id": cs.id, "hostName": cs.fqdn, "ipAddress": cs.node.address or cs.node.name,
                                "hostId": cs.host_id, "agentVersion": cs.version, "agentCount": len(agents)},
        "takenAt": cs.sim.clock.now,
        "runAsAccounts": [{"accountId": a.account_id, "accountName": a.name} for a in cs.accounts.values()],
        "processServers": [{
            "id": ps.id, "friendlyName": ps.name, "ipAddress": ps.ip_address, "osType": ps.os_type,
            "agentVersion": ps.version, "hostId": ps.id,
            "machineCount": sum(1 for m in agents if cs.machine_process_server.get(m.id) is ps),
        } for ps in sorted(cs.process_servers.values(), key=lambda ps: ps is cs.built_in)],  # PROCESS_SERVER_ORDER
        "masterTargets": [{
            "id": mt.id, "name": mt.name, "ipAddress": mt.ip_address, "osType": mt.os_type,
            "osVersion": mt.os_version, "agentVersion": mt.version,
            "vCenter": cs.vcenters[mt.vcenter.lower()].name,  # as the vault knows it
            "retentionVolumes": [{"volumeName": v.volume_name, "capacityInBytes": v.capacity_bytes,
                                  "freeSpaceInBytes": v.free_bytes, "thresholdPercentage": v.threshold_percent}
                                 for v in mt.retention_volumes.values()],
            "dataStores": [{"symbolicName": d.name, "uuid": d.uuid, "capacity": str(d.capacity_bytes // GIB),
                            "freeSpace": str(d.free_bytes // GIB), "type": d.type}
                           for host in cs.vcenters[mt.vcenter.lower()].vcenter.hosts.values()
                           for d in host.datastores.values()],
        } for mt in cs.master_targets.values()],
        "vCenters": [{
            "id": found.name, "friendlyName": found.friendly_name,
            "ipAddress": found.vcenter.address or found.vcenter.fqdn, "port": found.port,
            "processServerId": found.process_server.id, "runAsAccountId": found.account.account_id,
            "discoveryStatus": found.status, "version": found.vcenter.version,
            "hosts": [host.name for host in found.vcenter.hosts.values()] if found.completed else [],
            "vms": [_machine(cs, vm) for vm in found.vcenter.vms.values()] if found.completed else [],
        } for found in cs.vcenters.values()],
        "physicalServers": [_machine(cs, server) for server in cs.physical_servers.values()],
        "replicationPairs": [_pair(cs, pair) for pair in cs.protection.pairs.values()],
    }
