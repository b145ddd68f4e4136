"""Run As accounts: credentials VMM stores under a name and hands to the jobs that need them.

Facts: ``New-SCRunAsAccount -Name -Credential [-Description] [-NoValidation]``
[D:VMM-NewSCRunAsAccount]; ``Add-SCVMHost`` requires ``-Credential`` (a Run As account)
[D:VMM-AddSCVMHost]; a Provider registered through a custom proxy makes VMM create the Run As
account ``DRAProxyAccount`` with the proxy's credentials (§5.2, [D:ASR-VMMDR]).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DRA_PROXY_ACCOUNT_NAME", "Credential", "RunAsAccount"]

#: The Run As account the ASR Provider's setup creates for a custom proxy (§5.2).
DRA_PROXY_ACCOUNT_NAME = "DRAProxyAccount"


@dataclass(frozen=True)
class Credential:
    """A ``PSCredential``: user name and password (the password never appears in a repr or history)."""

    user_name: str
    password: str = field(default="", repr=False)


@dataclass(eq=False)
class RunAsAccount:
    """``Microsoft.SystemCenter.VirtualMachineManager.RunAsAccount``."""

    id: str
    name: str
    credential: Credential = field(repr=False)
    description: str = ""
    enabled: bool = True

    @property
    def user_name(self) -> str:
        return self.credential.user_name
