"""Network mapping on the VMM server: the work of ASR's ``NetworkPairing`` / ``NetworkUnPairing``
jobs (asr-orchestration.md §A.2.3, hyperv-scvmm.md §5.5). Both servers record it: the primary
``Forward`` (its network → the recovery one), the recovery server ``Reverse`` (for failback)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..policy import PAIRING_WORK_SECONDS
from . import executes

if TYPE_CHECKING:
    from ..agent import AsrProvider


@executes("MapNetwork", seconds=PAIRING_WORK_SECONDS["MapNetwork"])
def map_network(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.map_vm_network(str(payload["vmNetworkId"]), dict(payload))


@executes("UnmapNetwork", seconds=PAIRING_WORK_SECONDS["UnmapNetwork"])
def unmap_network(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    provider.vmm.unmap_vm_network(str(payload["vmNetworkId"]), str(payload["mappingName"]))
    return {}
