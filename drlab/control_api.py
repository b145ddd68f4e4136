"""The served lab's control API, under ``/_harness/`` (as moto's ``/moto-api``, LocalStack's
``/_localstack``): the clock, faults, history, nodes, reset, snapshot and restore, topology, and the
scripts and runbooks recovery-plan actions run (``control_actions``), JSON in and out. ``CONTROL.md``
documents every endpoint.

Sans-IO like the ARM surface: ``ControlApi(served).handle(request) -> response``, called by the
``ServedLab`` on the server's one event-loop thread, so a control call never interleaves with a
service request or an auto-mode tick. Checks run in ARM's order — authentication (the same bearer
check as the ARM paths, 401), route (404 / 405), query and body (``control_wire``, 4xx) — and every
refusal is an ARM error envelope raised before anything changes. A call that moves the clock or
changes the mode is recorded in the lab's history (node ``harness``); faults record themselves.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from asr_emulator.errors import ArmError, InvalidQueryParameter, MethodNotAllowed, NoRoute
from asr_emulator.http import HttpRequest, HttpResponse
from asr_emulator.service import authenticate
from asr_emulator.wire.call import json_response
from simcore import Event, FaultRule, FaultRuleError, Phase

from .control_actions import put_runbook, put_script, runbook_jobs
from .control_faults import FAULT_POINTS, RULE_FIELDS, fault_json, node_resolver, rule_from_json
from .control_topology import TopologyApi
from .control_wire import (
    HISTORY_LIMIT_DEFAULT, HISTORY_LIMIT_MAX, MAX_ADVANCE_SECONDS, MAX_TIME_RATE, SEED_RANGE, ClockCannotGoBack,
    FaultExists, FaultNotFound, InvalidClockAdvance, InvalidFaultRule, InvalidSeed, InvalidSnapshotId, InvalidTimeMode,
    InvalidTimeRate, SnapshotNotFound, body_object, boolean, instant, integer, number, query_params, string,
)
from .serve_time import TimeMode

if TYPE_CHECKING:
    from .lab import Lab
    from .serve_lab import ServedLab

__all__ = ["ControlApi", "HistoryQuery", "CONTROL_PREFIX", "NDJSON", "is_control"]

CONTROL_PREFIX = "_harness"
NDJSON = "application/x-ndjson"
_HISTORY_QUERY = ("op", "node", "phase", "since", "until", "after", "limit", "follow")
_PHASES = {phase.value: phase for phase in Phase}

Handler = Callable[[HttpRequest, list[str]], HttpResponse]


def _segments(url: str) -> list[str]:
    """The percent-decoded segments of ``url``'s path, as the service reads paths."""
    path = urlsplit(url).path if "://" in url else url.partition("?")[0]
    return [unquote(segment) for segment in path.split("/") if segment]


def is_control(url: str) -> bool:
    """``url``'s path is under the control API's prefix (``/%5Fharness/`` too: decoded, as the service decodes)."""
    segments = _segments(url)
    return bool(segments) and segments[0] == CONTROL_PREFIX


def _utc(lab: Lab) -> str:
    return lab.sim.clock.utcnow().isoformat().replace("+00:00", "Z")


class ControlApi:
    """The ``/_harness/`` endpoints of ``served`` (module docstring)."""

    def __init__(self, served: ServedLab) -> None:
        self.served = served
        topology = TopologyApi(served)
        # (method, path below the prefix; None: one free segment) -> handler
        self._routes: dict[tuple[str, tuple[str | None, ...]], Handler] = {
            ("GET", ("clock",)): self._get_clock,
            ("POST", ("clock", "advance")): self._advance,
            ("PUT", ("clock", "mode")): self._set_mode,
            ("GET", ("faults",)): self._list_faults,
            ("POST", ("faults",)): self._add_fault,
            ("DELETE", ("faults",)): self._heal_all,
            ("GET", ("faults", None)): self._get_fault,
            ("DELETE", ("faults", None)): self._heal,
            ("GET", ("history",)): self._history,
            ("GET", ("history", "stream")): self._history_stream,
            ("GET", ("nodes",)): self._nodes,
            ("POST", ("reset",)): self._reset,
            ("POST", ("scripts",)): lambda request, _: put_script(self.lab, request),
            ("POST", ("runbooks",)): lambda request, _: put_runbook(self.lab, request),
            ("GET", ("runbooks", "jobs")): lambda request, _: runbook_jobs(self.lab, request),
            ("POST", ("snapshot",)): self._snapshot,
            ("POST", ("restore",)): self._restore,
            ("GET", ("topology",)): topology.get,
            ("POST", ("topology", "hosts")): topology.add_host,
            ("POST", ("topology", "clouds")): topology.add_cloud,
            ("POST", ("topology", "vms")): topology.add_vm,
        }

    @property
    def lab(self) -> Lab:
        return self.served.lab

    # -- the wire -----------------------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        service = self.lab.service
        with self.lab.lock:
            try:
                authenticate(request)
                handler, segments = self._route(request)
                return handler(request, segments)
            except ArmError as error:
                return service.error_response(error)
            except Exception as error:  # noqa: BLE001 - a harness bug is answered and recorded, as the service does
                self.lab.history.record("harness", "harness.bug", Phase.INFO, {"bug": f"{type(error).__name__}: {error}"})
                return json_response(500, {"error": {"code": "InternalServerError",
                                                     "message": f"asr-harness failed: {type(error).__name__}: {error}"}})

    def endpoints(self) -> list[tuple[str, tuple[str | None, ...]]]:
        """Every endpoint as (method, path below the prefix; ``None``: a free segment)."""
        return list(self._routes)

    @staticmethod
    def journaled(request: HttpRequest) -> bool:
        """Whether a successful non-GET ``request`` is journaled as it was sent (snapshot changes nothing;
        restore journals itself)."""
        return _segments(request.url)[1:2] not in (["snapshot"], ["restore"])

    def _route(self, request: HttpRequest) -> tuple[Handler, list[str]]:
        segments = _segments(request.url)[1:]  # below the prefix
        method = request.method.upper()
        allowed = []
        for (verb, shape), handler in self._routes.items():
            if len(shape) == len(segments) and all(want is None or want == got for want, got in zip(shape, segments)):
                if verb == method:
                    return handler, segments
                allowed.append(verb)
        if allowed:
            raise MethodNotAllowed(f"{method} is not allowed on /{CONTROL_PREFIX}/{'/'.join(segments)}; allowed: "
                                   f"{', '.join(allowed)}.")
        endpoints = sorted({f"/{CONTROL_PREFIX}/" + "/".join(s or "{id}" for s in shape) for _, shape in self.endpoints()})
        raise NoRoute(f"No control endpoint at /{CONTROL_PREFIX}/{'/'.join(segments)[:200]}; the endpoints are "
                      f"{', '.join(endpoints)}.", code="ControlEndpointNotFound")

    # -- clock --------------------------------------------------------------------------------

    def _clock(self) -> dict[str, Any]:
        clock = self.served.clock
        scheduler = self.lab.sim.scheduler
        return {"now": self.lab.now, "utc": _utc(self.lab), "mode": clock.mode.value, "rate": clock.rate,
                "next_due": scheduler.next_due(), "pending": scheduler.pending()}

    def _get_clock(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        return json_response(200, self._clock())

    def _advance(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        body = body_object(request, ("seconds", "to"))
        if ("seconds" in body) == ("to" in body):
            raise InvalidClockAdvance("Give either 'seconds' (how long) or 'to' (until when), exactly one.",
                                      target="body")
        now = self.lab.now
        if "seconds" in body:
            target = now + number(body["seconds"], "seconds", high=MAX_ADVANCE_SECONDS, refuse=InvalidClockAdvance)
        else:
            target = instant(body["to"], "to", self.lab.sim.clock.to_seconds, refuse=InvalidClockAdvance)
            if target < now:
                raise ClockCannotGoBack(f"'to' ({target:g} s) is before the lab's now ({now:g} s): virtual time only "
                                        "moves forward.", target="to")
            if target - now > MAX_ADVANCE_SECONDS:
                raise InvalidClockAdvance(f"'to' is {target - now:g} s ahead; one advance moves at most "
                                          f"{MAX_ADVANCE_SECONDS:g} s.", target="to")
        self.lab.history.record("harness", "harness.advance", Phase.INFO, {"from": now, "to": target})
        self.lab.run_until(target)
        return json_response(200, self._clock())

    def _set_mode(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        body = body_object(request, ("mode", "rate"))
        if "mode" not in body:
            raise InvalidTimeMode("Give the 'mode': manual, on-poll or auto.", target="mode")
        modes = {mode.value: mode for mode in TimeMode}
        mode = modes.get(body["mode"]) if isinstance(body["mode"], str) else None
        if mode is None:
            raise InvalidTimeMode(f"'mode' must be one of {', '.join(modes)}.", target="mode")
        rate = None
        if body.get("rate") is not None:
            rate = number(body["rate"], "rate", high=MAX_TIME_RATE, refuse=InvalidTimeRate)
            if rate <= 0:
                raise InvalidTimeRate("'rate' must be more than 0 virtual seconds per wall second.", target="rate")
        self.served.clock.set_mode(mode, rate)
        clock = self.served.clock
        self.lab.history.record("harness", "harness.mode", Phase.INFO, {"mode": clock.mode.value, "rate": clock.rate})
        return json_response(200, self._clock())

    # -- faults -------------------------------------------------------------------------------

    def _find(self, name: str) -> FaultRule:
        for rule in self.lab.faults.rules:
            if rule.name == name:
                return rule
        raise FaultNotFound(f"No fault '{name[:100]}' is in the lab's plan (healed, expired or used up, or never "
                            "added).", target="id")

    def _list_faults(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        plan, now = self.lab.faults, self.lab.now
        return json_response(200, {"now": now, "faults": [fault_json(plan, rule, now) for rule in plan.rules]})

    def _get_fault(self, request: HttpRequest, segments: list[str]) -> HttpResponse:
        query_params(request, ())
        return json_response(200, fault_json(self.lab.faults, self._find(segments[1]), self.lab.now))

    def _add_fault(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        body = body_object(request, RULE_FIELDS)
        network, clock = self.lab.network, self.lab.sim.clock
        resolve = node_resolver(lambda name: network.node(name).name, lambda: [n.name for n in network.nodes])
        rule = rule_from_json(body, node=resolve, now=clock.now, to_seconds=clock.to_seconds)
        if rule.name and any(existing.name == rule.name for existing in self.lab.faults.rules):
            raise FaultExists(f"A fault '{rule.name}' is already in the plan; heal it first or choose another id.",
                              target="id")
        try:
            self.lab.faults.add(rule)
        except FaultRuleError as error:
            raise InvalidFaultRule(str(error), target="body") from None
        return json_response(201, fault_json(self.lab.faults, rule, clock.now))

    def _heal(self, request: HttpRequest, segments: list[str]) -> HttpResponse:
        query_params(request, ())
        rule = self._find(segments[1])
        self.lab.faults.heal(rule)
        return json_response(200, {"healed": [rule.name]})

    def _heal_all(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        names = [rule.name for rule in self.lab.faults.rules]
        self.lab.faults.heal_all()
        return json_response(200, {"healed": names})

    # -- history ------------------------------------------------------------------------------

    def history_query(self, request: HttpRequest) -> HistoryQuery:
        """The history filters ``request``'s query gives (400 for a bad or unknown one)."""
        query = query_params(request, _HISTORY_QUERY)
        to_seconds, bad = self.lab.sim.clock.to_seconds, InvalidQueryParameter
        op = string(query["op"], "op", refuse=bad) if "op" in query else None
        node = string(query["node"], "node", refuse=bad) if "node" in query else None
        phase = None
        if "phase" in query:
            phase = _PHASES.get(query["phase"])
            if phase is None:
                raise bad(f"'phase' must be one of {', '.join(_PHASES)}.", target="phase")
        since = instant(_numeric(query["since"]), "since", to_seconds, refuse=bad) if "since" in query else None
        until = instant(_numeric(query["until"]), "until", to_seconds, refuse=bad) if "until" in query else None
        after = integer(_numeric(query["after"]), "after", low=-1, high=2**63, refuse=bad) if "after" in query else -1
        follow = boolean(_flag(query["follow"]), "follow", refuse=bad) if "follow" in query else False
        limit = None if follow and "limit" not in query else integer(
            _numeric(query.get("limit", str(HISTORY_LIMIT_DEFAULT))), "limit", low=1, high=HISTORY_LIMIT_MAX, refuse=bad)
        return HistoryQuery(op, node, phase, since, until, after, limit, follow)

    def _select(self, request: HttpRequest) -> tuple[list[Event], bool]:
        """The events the history query asks for, oldest first, and whether more match past them."""
        query = self.history_query(request)
        found: list[Event] = []
        for event in self.lab.history:
            if event.index <= query.after or (query.since is not None and event.time < query.since):
                continue
            if query.until is not None and event.time > query.until:
                break  # times never decrease
            if not query.matches(event):
                continue
            if len(found) == query.limit:
                return found, True
            found.append(event)
        return found, False

    def _history(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        events, more = self._select(request)
        store = self.served.history
        return json_response(200, {
            "events": [json.loads(event.to_json()) for event in events], "more": more,
            "next_after": events[-1].index if events else None,
            "recorded": len(self.lab.history), "first_retained": store.first_index})

    def _history_stream(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        events, more = self._select(request)
        headers = {"Content-Type": NDJSON, "X-Harness-More": "true" if more else "false"}
        return HttpResponse(200, headers, "".join(event.to_json() + "\n" for event in events).encode())

    # -- nodes and reset ----------------------------------------------------------------------

    def _nodes(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        nodes = [{"name": node.name, "address": node.address, "fqdn": node.fqdn} for node in self.lab.network.nodes]
        return json_response(200, {"nodes": nodes, "points": {point: list(keys) for point, keys in FAULT_POINTS.items()}})

    def _reset(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        body = body_object(request, ("seed",))
        seed = None
        if body.get("seed") is not None:
            seed = integer(body["seed"], "seed", low=SEED_RANGE[0], high=SEED_RANGE[1], refuse=InvalidSeed)
        return json_response(200, _lab_info(self.served.reset(seed)))

    # -- snapshot and restore -----------------------------------------------------------------

    def _snapshot(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        body_object(request, ())
        return json_response(200, {"id": self.served.snapshot(), "now": self.lab.now})

    def _restore(self, request: HttpRequest, _: list[str]) -> HttpResponse:
        query_params(request, ())
        body = body_object(request, ("id",))
        if "id" not in body:
            raise InvalidSnapshotId("Give the 'id' of a snapshot (what POST /_harness/snapshot answered).",
                                    target="id")
        position = integer(body["id"], "id", low=0, high=2**63, refuse=InvalidSnapshotId)
        if position > self.served.journal.position:
            raise SnapshotNotFound(f"No snapshot {position}: this lab's snapshots are 0 to "
                                   f"{self.served.journal.position}.", target="id")
        lab = self.served.restore(position)
        return json_response(200, {"id": position, **_lab_info(lab)})


def _lab_info(lab: Lab) -> dict[str, Any]:
    """The lab now served, as the ready line describes it."""
    return {"seed": lab.seed, "now": lab.now, "subscription_id": lab.subscription_id,
            "resource_group": lab.resource_group, "vault": lab.vault_name, "fabrics": lab.fabric_names(),
            "clouds": lab.cloud_names()}


@dataclass(frozen=True)
class HistoryQuery:
    """The filters of a history query (``CONTROL.md``, history); ``follow``: the stream goes on."""

    op: str | None
    node: str | None
    phase: Phase | None
    since: float | None
    until: float | None
    after: int
    limit: int | None  # None: no bound (following a stream without a limit)
    follow: bool

    def matches(self, event: Event) -> bool:
        """``event`` passes every filter (``after`` aside: the caller pages)."""
        if self.since is not None and event.time < self.since or self.until is not None and event.time > self.until:
            return False
        if self.node is not None and event.node != self.node or self.phase is not None and event.phase is not self.phase:
            return False
        if self.op is None:
            return True
        return event.op.startswith(self.op[:-1]) if self.op.endswith("*") else event.op == self.op


def _flag(text: str) -> Any:
    """A query flag as the boolean it spells (``true``/``false``), else the text."""
    return {"true": True, "false": False}.get(text, text)


def _numeric(text: str) -> Any:
    """A query value as the JSON number it spells (so the body readers check it), else the text."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else text
