"""The control API's topology endpoints (``/_harness/topology``): add a Hyper-V host, a cloud or a VM
to the served lab while it runs, as an administrator does in SCVMM.

Each goes through the lab's own cmdlets (``Lab.add_host`` / ``add_cloud`` / ``add_vm``: ``Add-SCVMHost``,
``New-SCCloud`` + ``Set-SCCloud``, ``New-SCVirtualMachine``), so the VMM server records the inventory
change, and the site's Provider then syncs it to ASR (policy ``drlab.lab.SYNC_AFTER_TOPOLOGY_CHANGE``,
or ``"sync": false``: at its next poll): the SDK then lists the new cloud as a protection container, the
new VM as a protectable item. A spec the lab would refuse is ``400 InvalidTopology`` (a duplicate name,
an unknown cloud or network); what VMM refuses is ``409 TopologyChangeRefused`` with VMM's message.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from asr_emulator.http import HttpRequest, HttpResponse
from asr_emulator.wire.call import json_response
from scvmm_fake.errors import VmmError

from ._lab.spec import CloudSpec, LabConfigError, Role, VMSpec
from .control_wire import (
    InvalidTopology, TopologyChangeRefused, body_object, boolean, number, query_params, string,
)
from .lab import SYNC_AFTER_TOPOLOGY_CHANGE, Lab

if TYPE_CHECKING:
    from hyperv_fake import HyperVHost
    from scvmm_fake import Cloud, VirtualMachine

    from .serve_lab import ServedLab

__all__ = ["TopologyApi"]

_ROLES = {role.value: role for role in Role}


def _site(body: dict[str, Any], default: str | None = "primary") -> Role:
    value = body.get("site", default)
    role = _ROLES.get(value) if isinstance(value, str) else None
    if role is None:
        raise InvalidTopology(f"'site' must be one of {', '.join(_ROLES)}.", target="site")
    return role


def _names(value: Any, name: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise InvalidTopology(f"'{name}' must be a non-empty list of network names.", target=name)
    return tuple(string(item, name, refuse=InvalidTopology) for item in value)


def _host_json(host: HyperVHost, role: Role) -> dict[str, Any]:
    return {"name": host.name, "fqdn": host.fqdn, "site": role.value}


def _cloud_json(cloud: Cloud, spec: CloudSpec) -> dict[str, Any]:
    return {"name": cloud.name, "site": spec.site.value, "disaster_recovery": spec.disaster_recovery}


def _vm_json(vm: VirtualMachine) -> dict[str, Any]:
    return {"name": vm.name, "cloud": vm.cloud.name if vm.cloud is not None else None, "host": vm.vm_host.host.name}


class TopologyApi:
    """The topology endpoints of ``served`` (module docstring)."""

    def __init__(self, served: ServedLab) -> None:
        self.served = served

    @property
    def lab(self) -> Lab:
        return self.served.lab

    def get(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        lab, sites = self.lab, {}
        for role, site in lab.sites.items():
            sites[role.value] = {"vmm": site.vmm.name, "hosts": [_host_json(host, role) for host in site.hosts],
                                 "clouds": [_cloud_json(site.clouds[c.name], c) for c in lab.spec.clouds_of(role)],
                                 "vms": [_vm_json(vm) for vm in site.vms.values()]}
        return json_response(200, {"sites": sites})

    def add_host(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        body = body_object(request, ("site", "sync"))
        role, sync = _site(body), _sync(body)
        with _refusals():
            host = self.lab.add_host(role, sync=sync)
        return json_response(201, _host_json(host, role))

    def add_cloud(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        body = body_object(request, ("name", "site", "disaster_recovery", "networks", "sync"))
        name, role, sync = string(body.get("name"), "name", max_chars=64, refuse=InvalidTopology), _site(body), _sync(body)
        flag = boolean(body.get("disaster_recovery", True), "disaster_recovery", refuse=InvalidTopology)
        networks = _names(body.get("networks"), "networks")
        with _refusals():
            spec = CloudSpec(name, role, flag, networks)
            cloud = self.lab.add_cloud(spec, sync=sync)
        return json_response(201, _cloud_json(cloud, spec))

    def add_vm(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        body = body_object(request, ("name", "cloud", "networks", "operating_system", "writes_per_second", "sync"))
        fields = (string(body.get("name"), "name", max_chars=64, refuse=InvalidTopology),
                  string(body.get("cloud"), "cloud", max_chars=64, refuse=InvalidTopology),
                  _names(body.get("networks"), "networks"),
                  string(body.get("operating_system", "Windows Server 2016"), "operating_system", refuse=InvalidTopology),
                  number(body.get("writes_per_second", 10.0), "writes_per_second", high=1e6, refuse=InvalidTopology))
        sync = _sync(body)
        with _refusals():
            vm = self.lab.add_vm(VMSpec(*fields), sync=sync)
        return json_response(201, _vm_json(vm))


def _sync(body: dict[str, Any]) -> bool:
    return boolean(body.get("sync", SYNC_AFTER_TOPOLOGY_CHANGE), "sync", refuse=InvalidTopology)


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """What the lab or VMM refuses, as the API's errors (both refuse before changing anything)."""
    try:
        yield
    except LabConfigError as error:
        raise InvalidTopology(str(error), target="body") from None
    except VmmError as error:
        raise TopologyChangeRefused(f"VMM refused the change: {error}", target="body") from None
