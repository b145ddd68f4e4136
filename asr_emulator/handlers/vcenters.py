"""vCenter servers of a configuration server on the wire: ``replicationvCenters`` create (the reads are
``readonly``'s). The request is parsed (typed 400s naming the field), its fabric resolved (404, or a
coded 400 for a VMM fabric), and only then answered 202 with the ``DiscoverVCenter`` job
(``workflows.vcenters``); the job's result is the vCenter.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidParameter
from ..http import HttpResponse
from ..models.resources import KINDS
from ..routing.registry import handles
from ..wire.call import Call
from ..wire.render import resource_json
from ..workflows import vcenters

_REQUIRED = ("friendlyName", "ipAddress", "processServerId", "runAsAccountId")


def _request(call: Call) -> dict[str, Any]:
    """``AddVCenterRequest.properties``: every field a string, ``port`` optional and 1..65535."""
    properties: dict[str, Any] = Call.field(call.body() or {}, "properties", dict, "", required=True)
    request = {name: Call.field(properties, name, str, "properties", required=True) for name in _REQUIRED}
    port = Call.field(properties, "port", str, "properties")
    if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
        raise InvalidParameter(f"The value '{port}' of 'properties.port' is invalid: a port number 1 to 65535.",
                               target="properties.port")
    if port is not None:
        request["port"] = port
    return request


@handles("ReplicationvCentersOperations", "begin_create")
def create_vcenter(call: Call) -> HttpResponse:
    vault = call.vault()
    request = _request(call)
    channel = call.service.channel
    fabric = vcenters.configuration_server(channel, vault, call.params["fabricName"])
    job = vcenters.start_add_vcenter(channel, vault, fabric, call.params["vcenterName"], request,
                                     client_request_id=call.client_request_id)
    return call.accepted(vault, job, "resource",
                         lambda vcenter: resource_json(vault, KINDS["vcenter"], (fabric.name,), vcenter))
