"""The state every cmdlet family shares: the simulation, ids, registries, and name rules.

The cmdlet families (host groups, networks, pools, clouds, VMs, ...) are mixins over this core,
each in its own module; ``VMMServer`` puts them together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from simcore import Simulation

from ._cmdlet import CmdletRunner
from ._jobs import Plan, JobRunner
from .errors import DuplicateName, InvalidParameter, ObjectNotFound
from .policy import VmmPolicy

__all__ = ["ServerCore", "sort_by_name", "set_given"]

T = TypeVar("T")


def sort_by_name(items: Iterable[T]) -> list[T]:
    """``items`` ordered by (case-folded name, id): the emulator's deterministic listing order."""
    return sorted(items, key=lambda item: (getattr(item, "name").casefold(), getattr(item, "id")))


class ServerCore:
    """Identity, simulation handles and the object registries of one VMM server."""

    def __init__(self, sim: Simulation, name: str, fqdn: str, policy: VmmPolicy) -> None:
        self.sim = sim
        self.name = name
        self.fqdn = fqdn
        self.policy = policy
        self._id_stream = f"scvmm:{name}"
        self._job_runner = JobRunner(sim, name, self._new_id)
        self._runner = CmdletRunner(sim, name, self._job_runner)
        # One registry per kind, keyed by id, in creation order.
        self._registries: dict[str, dict[str, Any]] = {}
        self._revision = 0
        self._fabrics: list[Any] = []  # the Hyper-V fabrics of the managed hosts, in the order first seen

    # -- what changed ---------------------------------------------------------------------------

    @property
    def dr_revision(self) -> tuple[int, ...]:
        """A value that moves whenever what ``dr_inventory`` could report may have changed: this
        server's change counter (every committed cmdlet, every registry change, pairing), then the
        configuration revision of each Hyper-V fabric its hosts belong to (a VM's disks and a host's
        trust configuration are read from the host), then how many of the instants at which the
        report changes by itself the clock has passed (``_clock_revision``). O(1) in the size of
        the inventory, so an idle Provider poll costs O(1)."""
        return (*self._configuration_revision(), self._clock_revision())

    def _configuration_revision(self) -> tuple[int, ...]:
        """This server's change counter and its fabrics' revisions: what moves with every call."""
        return (self._revision, *(fabric.revision for fabric in self._fabrics))

    def _clock_revision(self) -> int:
        """How many instants at which the DR inventory changes with no call the clock has passed
        (none here; pairing counts its hosts' certificate deadlines)."""
        return 0

    def _touch(self) -> None:
        """Note a change to the server's state (see ``dr_revision``)."""
        self._revision += 1

    def _watch_fabric(self, fabric: Any) -> None:
        """Let ``dr_revision`` follow ``fabric``'s configuration revision (a host was added)."""
        if not any(known is fabric for known in self._fabrics):
            self._fabrics.append(fabric)

    # -- ids and registries ---------------------------------------------------------------------

    def _new_id(self) -> str:
        return self.sim.random.uuid(self._id_stream)

    def _registry(self, kind: str) -> dict[str, Any]:
        return self._registries.setdefault(kind, {})

    def _add(self, kind: str, obj: T) -> T:
        self._registry(kind)[getattr(obj, "id")] = obj
        self._touch()
        return obj

    def _drop(self, kind: str, obj: Any) -> None:
        del self._registry(kind)[obj.id]
        self._touch()

    def _all(self, kind: str) -> list[Any]:
        return list(self._registry(kind).values())

    def _require(self, kind: str, obj: Any) -> None:
        """Refuse an object this server does not hold (another server's, removed, or not one at all)."""
        if self._registry(kind).get(getattr(obj, "id", "")) is not obj:
            raise ObjectNotFound(f"{kind} {getattr(obj, 'name', obj)!r} is not an object of VMM server {self.name!r}")

    def _require_all(self, kind: str, objects: Iterable[Any]) -> list[Any]:
        items = list(objects)
        for obj in items:
            self._require(kind, obj)
        return items

    @staticmethod
    def _check_name(name: str, kind: str) -> str:
        if not isinstance(name, str) or not name.strip():
            raise InvalidParameter(f"{kind}: a name is required, got {name!r}")
        return name

    @staticmethod
    def _check_unique(name: str, kind: str, among: Iterable[Any], where: str = "") -> None:
        """Refuse ``name`` if an object of ``among`` has it (policies ``UNIQUE_NAMES``, ``NAMES_CASE_INSENSITIVE``)."""
        folded = name.casefold()
        if any(other.name.casefold() == folded for other in among):
            raise DuplicateName(f"a {kind} named {name!r} already exists{where}")

    def _find(self, kind: str, name: str | None = None, id: str | None = None) -> list[Any]:
        """A ``Get-SC*`` lookup: objects of ``kind`` by name (case-insensitive) and/or id, by name."""
        items = self._all(kind)
        if name is not None:
            items = [item for item in items if item.name.casefold() == name.casefold()]
        if id is not None:
            items = [item for item in items if item.id == id]
        return sort_by_name(items)

    # -- running cmdlets ------------------------------------------------------------------------

    def _change(self, cmdlet: str, params: Mapping[str, Any], plan: Plan[T]) -> T:
        """Run a changing cmdlet; its commit (also when ``Restart-SCJob`` reruns it) bumps the
        server's revision, so no attribute a commit sets can be missed by the Provider's poll."""
        def touching_plan() -> Callable[[], T]:
            commit = plan()

            def touching_commit() -> T:
                try:
                    return commit()
                finally:
                    self._touch()
            return touching_commit
        return self._runner.change(cmdlet, params, touching_plan)

    def _read(self, cmdlet: str, params: Mapping[str, Any], query: Callable[[], T]) -> T:
        return self._runner.call(cmdlet, params, query)

    def _get(self, cmdlet: str, kind: str, name: str | None, id: str | None) -> list[Any]:
        """A ``Get-SC* [-Name] [-ID]`` cmdlet over one registry."""
        return self._read(cmdlet, {"name": name, "id": id}, lambda: self._find(kind, name, id))


def set_given(obj: T, **changes: Any) -> T:
    """Set each attribute whose new value is not None (a ``Set-SC*`` cmdlet's optional parameters)."""
    for attribute, value in changes.items():
        if value is not None:
            setattr(obj, attribute, value)
    return obj
