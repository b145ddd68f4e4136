"""``LabControl``: a small typed client of a served lab's control API (``/_harness/``, ``CONTROL.md``).

    info = ServeProcess.start("--time-mode", "manual").info      # or the ready line of asr-harness serve
    with LabControl(info.base_url, info.ca_bundle) as lab:
        lab.advance(3600)                                         # an hour of virtual time, now
        cut = lab.add_fault(FaultRule(Partition(), Match(src="vmm-ny", dst="asr", bidirectional=True)))
        lab.heal(cut.id)
        lab.put_script("\\RPScripts\\pre.ps1", output="ok", seconds=30)  # on both VMM servers' library
        runbook_id = lab.put_runbook("post")                           # for a plan's runbook action
        [event.op for event in lab.history(op="provider.*").events]
        lab.reset()                                               # the lab of the same seed, afresh
        mark = lab.snapshot()                                     # ... and later, back to that point:
        lab.restore(mark)                                         # the lab rebuilt there by replay

Faults are given as the ``simcore`` rules a test builds in process (or as their JSON); history comes
back as ``simcore.Event``s. Every refusal raises ``ControlError`` with the ARM error's status, code and
message; a server that cannot be reached raises it too (status 0), so a caller handles one type.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from simcore import Event, FaultRule, Phase

from .control_faults import rule_to_json
from .serve_time import TimeMode

__all__ = ["LabControl", "ControlError", "ClockState", "Fault", "HistoryPage", "ResetInfo", "DEFAULT_TOKEN"]

#: The bearer token the client sends: the served lab checks that one is presented, not its value.
DEFAULT_TOKEN = "asr-harness"


class ControlError(RuntimeError):
    """A refused control call (``status``, ARM error ``code`` and ``message``), or no answer (status 0)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}" + (f" (HTTP {status})" if status else ""))
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class ClockState:
    """The served lab's clock: virtual seconds since its epoch, that instant in UTC, the time mode, auto
    mode's rate, the next scheduled event's instant and how many one-shot events are pending."""

    now: float
    utc: datetime
    mode: TimeMode
    rate: float
    next_due: float | None
    pending: int
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def of(cls, raw: dict[str, Any]) -> ClockState:
        return cls(raw["now"], datetime.fromisoformat(raw["utc"]), TimeMode(raw["mode"]), raw["rate"],
                   raw["next_due"], raw["pending"], raw)


@dataclass(frozen=True)
class Fault:
    """A rule in the lab's fault plan: its id, action, whether it applies now, how often it fired, and
    what is left of its count and window (``None``: unbounded); ``raw`` is its JSON."""

    id: str
    action: str
    active: bool
    fired: int
    remaining_count: int | None
    remaining_seconds: float | None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Fault:
        return cls(raw["id"], raw["action"], raw["active"], raw["fired"], raw["remaining_count"],
                   raw["remaining_seconds"], raw)


@dataclass(frozen=True)
class HistoryPage:
    """Matching events, oldest first; ``more``: further ones match (ask again with ``after=next_after``)."""

    events: list[Event]
    more: bool
    next_after: int | None
    recorded: int
    first_retained: int


@dataclass(frozen=True)
class ResetInfo:
    """The lab now served: its seed, clock, vault ids and the names ASR sees (as in the ready line)."""

    seed: int
    now: float
    subscription_id: str
    resource_group: str
    vault: str
    fabrics: list[str]
    clouds: list[str]


def _event(raw: dict[str, Any]) -> Event:
    return Event(raw["time"], raw["node"], raw["op"], Phase(raw["phase"]), raw["details"], raw["index"])


def _filters(op: str | None, node: str | None, phase: Phase | str | None, since: float | datetime | None,
             until: float | datetime | None, after: int | None, limit: int | None) -> dict[str, str]:
    values: dict[str, Any] = {"op": op, "node": node, "phase": phase, "since": since, "until": until,
                              "after": after, "limit": limit}
    out = {}
    for name, value in values.items():
        if value is None:
            continue
        out[name] = (value.isoformat() if isinstance(value, datetime) else
                     value.value if isinstance(value, Phase) else str(value))
    return out


class LabControl:
    """A client of the control API at ``base_url``, trusting ``ca_bundle`` (the ready line's; ``None``:
    the system's; one that cannot be read raises ``ControlError``). ``transport``: an httpx transport
    instead of the network (tests, in process)."""

    def __init__(self, base_url: str, ca_bundle: str | Path | None = None, *, token: str = DEFAULT_TOKEN,
                 timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        try:
            verify = ssl.create_default_context(cafile=str(ca_bundle)) if ca_bundle is not None else True
        except (OSError, ssl.SSLError) as error:
            raise ControlError(0, "InvalidCaBundle", f"cannot load the CA bundle {ca_bundle}: {error}") from None
        self._http = httpx.Client(base_url=base_url.rstrip("/") + "/_harness", verify=verify, timeout=timeout,
                                  headers={"Authorization": f"Bearer {token}"}, transport=transport)

    def __enter__(self) -> LabControl:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, path: str, *, body: Mapping[str, Any] | None = None,
             params: Mapping[str, str] | None = None) -> Any:
        """One control call; its JSON answer, or ``ControlError``. NaN and infinities are sent as JSON5
        spells them, so the server's refusal (400, naming the field) is what the caller gets."""
        content = None if body is None else json.dumps(body).encode()
        headers = None if body is None else {"Content-Type": "application/json"}
        try:
            response = self._http.request(method, path, content=content, headers=headers, params=params)
        except httpx.HTTPError as error:
            raise ControlError(0, "ConnectionFailed", f"{type(error).__name__}: {error}") from error
        _raise_for(response)
        return response.json()

    # -- clock --------------------------------------------------------------------------------

    def clock(self) -> ClockState:
        return ClockState.of(self.call("GET", "/clock"))

    def now(self) -> float:
        """The lab's virtual time, seconds since its epoch."""
        return self.clock().now

    def advance(self, seconds: float) -> ClockState:
        """Run everything due in the next ``seconds`` of virtual time."""
        return ClockState.of(self.call("POST", "/clock/advance", body={"seconds": seconds}))

    def advance_to(self, when: float | datetime) -> ClockState:
        """Run everything due up to ``when`` (virtual seconds, or an aware datetime); never backwards."""
        to = when.isoformat() if isinstance(when, datetime) else when
        return ClockState.of(self.call("POST", "/clock/advance", body={"to": to}))

    def set_mode(self, mode: TimeMode | str, rate: float | None = None) -> ClockState:
        """Switch the time mode (``manual``, ``on-poll``, ``auto``; ``rate``: auto's virtual s per wall s)."""
        body: dict[str, Any] = {"mode": mode.value if isinstance(mode, TimeMode) else mode}
        if rate is not None:
            body["rate"] = rate
        return ClockState.of(self.call("PUT", "/clock/mode", body=body))

    # -- faults -------------------------------------------------------------------------------

    def add_fault(self, rule: FaultRule | Mapping[str, Any]) -> Fault:
        """Add ``rule`` (a ``simcore.FaultRule`` or its JSON) to the lab's plan."""
        body = rule_to_json(rule) if isinstance(rule, FaultRule) else dict(rule)
        return Fault.of(self.call("POST", "/faults", body=body))

    def faults(self) -> list[Fault]:
        return [Fault.of(raw) for raw in self.call("GET", "/faults")["faults"]]

    def heal(self, fault_id: str | None = None) -> list[str]:
        """Heal one fault by id, or every fault (``None``); the ids healed."""
        path = "/faults" if fault_id is None else f"/faults/{quote(fault_id, safe='')}"
        healed: list[str] = self.call("DELETE", path)["healed"]
        return healed

    # -- what recovery-plan actions run --------------------------------------------------------

    def put_script(self, path: str, *, exit_code: int = 0, output: str = "", stderr: str = "", seconds: float = 0.0,
                   sites: list[str] | None = None) -> dict[str, Any]:
        """Place a declared script at ``path`` of the library share of each site (default: both)."""
        body: dict[str, Any] = {"path": path, "exitCode": exit_code, "output": output, "stderr": stderr,
                                "seconds": seconds}
        if sites is not None:
            body["sites"] = sites
        answer: dict[str, Any] = self.call("POST", "/scripts", body=body)
        return answer

    def put_runbook(self, name: str, *, account: str = "drlab-automation", output: str = "",
                    exception: str | None = None, seconds: float = 0.0) -> str:
        """Publish a declared runbook in an Automation account of the vault's subscription; its ``runbookId``."""
        body = {"account": account, "name": name, "output": output, "exception": exception, "seconds": seconds}
        runbook_id: str = self.call("POST", "/runbooks", body=body)["runbookId"]
        return runbook_id

    def runbook_jobs(self) -> list[dict[str, Any]]:
        """Every automation job runbooks ran as: status, output and the recovery plan context it received."""
        jobs: list[dict[str, Any]] = self.call("GET", "/runbooks/jobs")["jobs"]
        return jobs

    # -- history, nodes, reset ----------------------------------------------------------------

    def history(self, *, op: str | None = None, node: str | None = None, phase: Phase | str | None = None,
                since: float | datetime | None = None, until: float | datetime | None = None,
                after: int | None = None, limit: int | None = None) -> HistoryPage:
        """The events matching every filter given (``op`` ending in ``*``: a prefix), oldest first."""
        raw = self.call("GET", "/history", params=_filters(op, node, phase, since, until, after, limit))
        return HistoryPage([_event(item) for item in raw["events"]], raw["more"], raw["next_after"],
                           raw["recorded"], raw["first_retained"])

    def stream_history(self, *, op: str | None = None, node: str | None = None, phase: Phase | str | None = None,
                       since: float | datetime | None = None, until: float | datetime | None = None,
                       after: int | None = None, limit: int | None = None, follow: bool = False) -> Iterator[Event]:
        """The same events as ``history``, read line by line from the JSON Lines endpoint; ``follow``:
        then each new one as the lab records it, until ``limit`` or ``until`` (or the caller stops
        iterating: closing the generator leaves the stream)."""
        params = _filters(op, node, phase, since, until, after, limit)
        timeout = self._http.timeout
        if follow:
            params["follow"] = "true"
            timeout = httpx.Timeout(timeout.connect, read=None)  # a quiet lab sends nothing for a while
        try:
            with self._http.stream("GET", "/history/stream", params=params, timeout=timeout) as response:
                if response.status_code >= 400:
                    response.read()
                    _raise_for(response)
                for line in response.iter_lines():
                    if line.strip():
                        yield Event.from_json(line)
        except httpx.HTTPError as error:
            raise ControlError(0, "ConnectionFailed", f"{type(error).__name__}: {error}") from error

    def nodes(self) -> list[str]:
        """The names of the lab's nodes, for ``Match(src=…, dst=…)``."""
        return [node["name"] for node in self.call("GET", "/nodes")["nodes"]]

    def reset(self, seed: int | None = None) -> ResetInfo:
        """Serve the default lab of ``seed`` (default: the same seed) afresh, in place."""
        raw = self.call("POST", "/reset", body={} if seed is None else {"seed": seed})
        return ResetInfo(**raw)

    # -- topology -----------------------------------------------------------------------------

    def topology(self) -> dict[str, Any]:
        """The sites' hosts, clouds and VMs: ``{"sites": {"primary": {"vmm", "hosts", "clouds", "vms"}, …}}``."""
        found: dict[str, Any] = self.call("GET", "/topology")
        return found

    def add_host(self, site: str = "primary", *, sync: bool = True) -> dict[str, Any]:
        """``Add-SCVMHost``: the site's next Hyper-V host; ``{"name", "fqdn", "site"}``."""
        added: dict[str, Any] = self.call("POST", "/topology/hosts", body={"site": site, "sync": sync})
        return added

    def add_cloud(self, name: str, site: str = "primary", *, disaster_recovery: bool = True,
                  networks: list[str] | None = None, sync: bool = True) -> dict[str, Any]:
        """``New-SCCloud`` over the site's hosts (flagged for DR: a protection container once synced)."""
        body: dict[str, Any] = {"name": name, "site": site, "disaster_recovery": disaster_recovery, "sync": sync}
        if networks is not None:
            body["networks"] = networks
        added: dict[str, Any] = self.call("POST", "/topology/clouds", body=body)
        return added

    def add_vm(self, name: str, cloud: str, *, networks: list[str] | None = None, writes_per_second: float = 10.0,
               sync: bool = True) -> dict[str, Any]:
        """``New-SCVirtualMachine`` in ``cloud``, started with its workload (protectable once synced)."""
        body: dict[str, Any] = {"name": name, "cloud": cloud, "writes_per_second": writes_per_second, "sync": sync}
        if networks is not None:
            body["networks"] = networks
        added: dict[str, Any] = self.call("POST", "/topology/vms", body=body)
        return added

    # -- snapshot and restore -----------------------------------------------------------------

    def snapshot(self) -> int:
        """An id for the lab as it is now (its journal position), for ``restore``."""
        snapshot_id: int = self.call("POST", "/snapshot", body={})["id"]
        return snapshot_id

    def restore(self, snapshot_id: int) -> ResetInfo:
        """Serve the lab as it was at ``snapshot_id`` (rebuilt by replay), in place."""
        raw = self.call("POST", "/restore", body={"id": snapshot_id})
        return ResetInfo(**{name: value for name, value in raw.items() if name != "id"})


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        error = json.loads(response.content)["error"]
        code, message = str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        code, message = "HttpError", response.text[:200] or response.reason_phrase
    raise ControlError(response.status_code, code, message)
