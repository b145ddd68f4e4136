"""``RefreshProvider``: send the DR inventory now, whatever was sent before (§5.2 "Refresh server")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import executes

if TYPE_CHECKING:
    from ..agent import AsrProvider


@executes("RefreshProvider")
def refresh(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    provider.sync(force=True)
    return {"sequence": provider.store.sequence}
