"""What a site pair's DR setup is: the vault, the clouds and networks paired, which VMs are tagged
for DR and in which order they boot at the recovery site."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class DrConfig:
    """The DR setup of one site pair.

    A VM is tagged for DR when its name matches one of ``tags`` (shell patterns, case-insensitive as
    Windows names are): the team's convention is a ``-dr`` suffix. ``boot_order`` lists a pattern
    set per boot group, first boots first; a tagged VM no group names boots in a last group.
    """

    subscription_id: str
    resource_group: str
    vault: str
    clouds: Mapping[str, str]  # primary cloud -> recovery cloud
    networks: Mapping[str, str]  # primary network -> recovery network
    tags: tuple[str, ...] = ("*-dr",)
    boot_order: tuple[tuple[str, ...], ...] = ()
    policy: str = "dr-policy"
    plan: str = "dr-plan"
    replication_port: int = 8084
    transient_job_codes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def load(cls, path: str | Path) -> DrConfig:
        """The configuration in a JSON file (the field names above)."""
        return cls.from_dict(json.loads(Path(path).read_text()))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DrConfig:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown DR configuration keys: {', '.join(unknown)}")
        values = dict(data)
        if "tags" in values:
            values["tags"] = tuple(values["tags"])
        if "boot_order" in values:
            values["boot_order"] = tuple(tuple(group) for group in values["boot_order"])
        if "transient_job_codes" in values:
            values["transient_job_codes"] = frozenset(values["transient_job_codes"])
        return cls(**values)

    def tagged(self, vm: str) -> bool:
        return _matches(vm, self.tags)

    def boot_groups(self, vms: Sequence[str]) -> list[list[str]]:
        """``vms`` in boot groups: each in the first group whose patterns match it, the rest last;
        empty groups are left out."""
        groups: list[list[str]] = [[] for _ in range(len(self.boot_order) + 1)]
        for vm in sorted(vms):
            index = next((i for i, patterns in enumerate(self.boot_order) if _matches(vm, patterns)),
                         len(self.boot_order))
            groups[index].append(vm)
        return [group for group in groups if group]


def _matches(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name.lower(), pattern.lower()) for pattern in patterns)
