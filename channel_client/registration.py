"""What a vault answers an agent at registration, kept by the agent (PROTOCOL.md §5)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Registration"]


@dataclass(frozen=True)
class Registration:
    """The vault's answer to a registration: its id, the channel endpoint, and the fabric and provider
    records the agent now stands for."""

    vault_id: str
    endpoint: str
    fabric_name: str
    provider_name: str
    provider_id: str
