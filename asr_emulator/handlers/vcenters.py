"""vCenter servers of a configuration server on the wire: ``replicationvCenters`` create, update and
delete (the reads are ``readonly``'s). The fabric is resolved (404, or a coded 400 for a VMM fabric),
then the vCenter for an update or delete (404, before the body is looked at, as ARM checks the
resource first), the request parsed (typed 400s naming the field), and only then answered 202 with
the job (``workflows.vcenters``): create and update end with the vCenter, delete with 204.
"""

from __future__ import annotations

from typing import Any

from ..channel.vmware_fabric import VMwareFabricRecord
from ..errors import InvalidParameter
from ..http import HttpResponse
from ..models.jobs import Job
from ..models.resources import KINDS
from ..models.vault import Vault
from ..routing.registry import handles
from ..wire.call import Call
from ..wire.render import resource_json
from ..workflows import vcenters

_FIELDS = ("friendlyName", "ipAddress", "processServerId", "runAsAccountId")


def _request(call: Call, *, required: bool) -> dict[str, Any]:
    """``AddVCenterRequest.properties`` (every field ``required``) or ``UpdateVCenterRequest.properties``
    (the fields given): strings, ``port`` optional and 1..65535."""
    properties: dict[str, Any] = Call.field(call.body() or {}, "properties", dict, "", required=True)
    given = {name: Call.field(properties, name, str, "properties", required=required) for name in _FIELDS}
    request = {name: value for name, value in given.items() if value is not None}
    port = Call.field(properties, "port", str, "properties")
    if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
        raise InvalidParameter(f"The value '{port}' of 'properties.port' is invalid: a port number 1 to 65535.",
                               target="properties.port")
    if port is not None:
        request["port"] = port
    return request


def _fabric(call: Call, vault: Vault) -> VMwareFabricRecord:
    return vcenters.configuration_server(call.service.channel, vault, call.params["fabricName"])


def _accepted(call: Call, vault: Vault, fabric: VMwareFabricRecord, job: Job) -> HttpResponse:
    return call.accepted(vault, job, "resource",
                         lambda vcenter: resource_json(vault, KINDS["vcenter"], (fabric.name,), vcenter))


@handles("ReplicationvCentersOperations", "begin_create")
def create_vcenter(call: Call) -> HttpResponse:
    vault = call.vault()
    request = _request(call, required=True)
    fabric = _fabric(call, vault)
    job = vcenters.start_add_vcenter(call.service.channel, vault, fabric, call.params["vcenterName"], request,
                                     client_request_id=call.client_request_id)
    return _accepted(call, vault, fabric, job)


@handles("ReplicationvCentersOperations", "begin_update")
def update_vcenter(call: Call) -> HttpResponse:
    vault = call.vault()
    fabric = _fabric(call, vault)
    vcenters.vcenter(vault, fabric, call.params["vcenterName"])
    job = vcenters.start_update_vcenter(call.service.channel, vault, fabric, call.params["vcenterName"],
                                        _request(call, required=False), client_request_id=call.client_request_id)
    return _accepted(call, vault, fabric, job)


@handles("ReplicationvCentersOperations", "begin_delete")
def delete_vcenter(call: Call) -> HttpResponse:
    vault = call.vault()
    job = vcenters.start_remove_vcenter(call.service.channel, vault, _fabric(call, vault), call.params["vcenterName"],
                                        client_request_id=call.client_request_id)
    return call.accepted(vault, job, "delete")
