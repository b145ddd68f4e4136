"""Site Recovery events (asr-api.md §9): get, and list with a ``$filter`` on eventType, severity,
fabricId or affectedObjectFriendlyName (``Name eq 'value'`` clauses, as for jobs)."""

from __future__ import annotations

from ..errors import InvalidFilter
from ..http import HttpResponse
from ..routing.registry import handles
from ..wire.call import Call
from ..wire.odata import parse_filter
from ..wire.render import event_json

_FILTERABLE = {"eventtype": "event_type", "severity": "severity", "fabricid": "fabric_id",
               "affectedobjectfriendlyname": "affected_object_friendly_name"}


@handles("ReplicationEventsOperations", "get")
def get_event(call: Call) -> HttpResponse:
    vault = call.vault()
    name = call.params["eventName"]
    event = vault.events.get(name) or next((e for e in vault.events.values() if e.name.lower() == name.lower()), None)
    if event is None:
        raise vault.missing(f"replicationEvents/{name}", target="eventName")
    return call.json(event_json(vault, event, call.service.sim.clock))


@handles("ReplicationEventsOperations", "list")
def list_events(call: Call) -> HttpResponse:
    """Newest first (policy)."""
    vault = call.vault()
    clauses = parse_filter(call.query["$filter"]) if call.query.get("$filter", "").strip() else []
    for name, _ in clauses:
        if name not in _FILTERABLE:
            raise InvalidFilter(f"The $filter field '{name}' is not supported for events; supported fields: "
                                "eventType, severity, fabricId, affectedObjectFriendlyName.", target="$filter")
    events = [
        event for event in reversed(list(vault.events.values()))
        if all((getattr(event, _FILTERABLE[name]) or "").lower() in {v.lower() for v in values} for name, values in clauses)
    ]
    clock = call.service.sim.clock
    return call.page(events, lambda event: event_json(vault, event, clock))
