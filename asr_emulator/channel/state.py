"""The channel's state inside one vault: its signing secret and CA, the keys it issued, its
registered Providers, their work queue, the answers kept for idempotent retries, and the last
inventory each fabric reported."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from simcore.pki import CertificateAuthority

from ..http import HttpResponse
from .keys import RegistrationKey
from .policy import IDEMPOTENCY_CACHE
from .records import FabricRecord, ProviderRecord
from .workitems import WorkQueue

__all__ = ["VaultChannel", "Kept"]

#: An answer kept for an ``Idempotency-Key``: a whole response, or one entry of a batch of reports
#: (``reports``: kept under its entry's ``idempotencyKey``).
Kept: TypeAlias = HttpResponse | dict[str, Any]


@dataclass(eq=False)
class VaultChannel:
    """Per-vault channel state (``Vault.channel``); made by ``ChannelService`` on first use."""

    secret: bytes = field(repr=False)
    ca: CertificateAuthority = field(repr=False)
    keys: dict[str, RegistrationKey] = field(default_factory=dict)
    fabrics: dict[str, FabricRecord] = field(default_factory=dict)
    providers: dict[str, ProviderRecord] = field(default_factory=dict)
    work: WorkQueue = field(default_factory=WorkQueue)
    inventories: dict[str, dict[str, Any]] = field(default_factory=dict)  # fabric name (lower) -> last report
    sequences: dict[str, int] = field(default_factory=dict)  # provider name -> last applied sequence
    answers: dict[str, OrderedDict[str, Kept]] = field(default_factory=dict)  # provider -> key -> answer
    #: provider -> ids of its leased items withdrawn since its last renewal or report (told in the
    #: next report's answer, so work a report stopped is not run later in the same poll)
    unheard: dict[str, list[str]] = field(default_factory=dict)

    def provider(self, name: str) -> ProviderRecord | None:
        return self.providers.get(name.lower())

    def fabric(self, name: str) -> FabricRecord | None:
        return self.fabrics.get(name.lower())

    def providers_of(self, fabric: FabricRecord) -> list[ProviderRecord]:
        return [record for record in self.providers.values() if record.fabric is fabric]

    def remembered(self, provider: str, key: str) -> Kept | None:
        kept = self.answers.get(provider)
        return kept.get(key) if kept is not None else None

    def remember(self, provider: str, key: str, response: Kept) -> None:
        answers = self.answers.setdefault(provider, OrderedDict())
        answers[key] = response
        while len(answers) > IDEMPOTENCY_CACHE:
            answers.popitem(last=False)

    def forget_provider(self, record: ProviderRecord) -> None:
        self.providers.pop(record.name.lower(), None)
        self.work.forget_provider(record.name)
        self.answers.pop(record.name, None)
        self.sequences.pop(record.name, None)
        self.unheard.pop(record.name, None)
