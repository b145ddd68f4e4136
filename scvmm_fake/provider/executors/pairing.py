"""Cloud pairing on the VMM server: the work ASR's ``AssociateProtectionProfile`` and
``DissociateProtectionProfile`` jobs send (asr-orchestration.md §A.1.4, hyperv-scvmm.md §5.3).

Each executor calls the VMM server's own pairing operations (``scvmm_fake`` configures every host
of the cloud through Hyper-V's cmdlets) and answers what the other site needs, which ASR carries
over. Durations are policy: the recorded 2021 VMM-to-VMM job's task durations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ... import VmmError
from ..policy import PAIRING_WORK_SECONDS
from . import executes

if TYPE_CHECKING:
    from ..agent import AsrProvider


def _cloud(provider: AsrProvider, payload: dict[str, Any]) -> str:
    """The name of the cloud ASR names by its id (``Get-SCCloud -ID``)."""
    found = provider.vmm.get_sc_cloud(id=str(payload.get("cloudId")))
    if not found:
        raise VmmError(f"no cloud with id {payload.get('cloudId')!r} on {provider.vmm.name}")
    return found[0].name


@executes("PrepareSiteForPairing", seconds=PAIRING_WORK_SECONDS["PrepareSiteForPairing"])
def prepare_site(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.prepare_site_for_pairing()


@executes("PrepareCloudForPairing", seconds=PAIRING_WORK_SECONDS["PrepareCloudForPairing"])
def prepare_cloud(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.prepare_cloud_for_pairing(_cloud(provider, payload),
                                                  dict(payload["settings"]))


@executes("PairCloud", seconds=PAIRING_WORK_SECONDS["PairCloud"])
def pair_cloud(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.pair_cloud(_cloud(provider, payload), dict(payload["pairing"]))


@executes("UnpairCloud", seconds=PAIRING_WORK_SECONDS["UnpairCloud"])
def unpair_cloud(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    provider.vmm.unpair_cloud(_cloud(provider, payload), str(payload["pairingId"]))
    return {}
