"""Policies of the channel's client side, shared by every on-premises agent (the VMM Provider, the
configuration server): **policy, not fact**. The wire is described once, in
``asr_emulator/channel/PROTOCOL.md``; an agent may not import the service, it speaks that protocol.
"""

from __future__ import annotations

__all__ = ["REQUEST_TIMEOUT_SECONDS", "DEFAULT_PROXY_PORT", "CHANNEL_PREFIX"]

#: Policy: each channel request gives up after this many virtual seconds (connect and read), and
#: fails with httpx's timeout errors.
REQUEST_TIMEOUT_SECONDS = 30.0

#: Policy: the proxy port when ``DRConfigurator /proxyport`` is not given (hyperv-scvmm.md §5.2 lists
#: the parameter, no default).
DEFAULT_PROXY_PORT = 8080

#: Policy: the channel paths (the server's ``CHANNEL_PREFIX``; the protocol document is the contract).
CHANNEL_PREFIX = "/providers/Microsoft.RecoveryServices/channel"
