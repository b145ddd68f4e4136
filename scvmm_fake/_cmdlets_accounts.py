"""Run As account and library cmdlets: ``New/Get/Set/Remove-SCRunAsAccount``,
``Add/Get-SCLibraryShare``, and script lookup by path relative to a share root (§5.2, §5.7)."""

from __future__ import annotations

from collections.abc import Callable

from ._accounts import Credential, RunAsAccount
from ._core import ServerCore, set_given
from ._library import LibraryScript, LibraryShare
from .errors import DuplicateName, InvalidParameter, ObjectInUse, ScriptNotFound

__all__ = ["AccountCmdlets", "LibraryCmdlets"]


class AccountCmdlets(ServerCore):
    """Run As accounts (e.g. the Provider's ``DRAProxyAccount``)."""

    def new_sc_run_as_account(self, name: str, *, credential: Credential, description: str = "") -> RunAsAccount:
        """``New-SCRunAsAccount -Name -Credential [-Description]``."""
        def plan() -> Callable[[], RunAsAccount]:
            self._check_name(name, "RunAsAccount")
            _check_credential(credential)
            self._check_unique(name, "Run As account", self._all("RunAsAccount"))
            return lambda: self._add("RunAsAccount", RunAsAccount(self._new_id(), name, credential, description))
        return self._change("New-SCRunAsAccount", {"name": name, "credential": credential}, plan)

    def get_sc_run_as_account(self, name: str | None = None, *, id: str | None = None) -> list[RunAsAccount]:
        """``Get-SCRunAsAccount [-Name] [-ID]``."""
        return self._get("Get-SCRunAsAccount", "RunAsAccount", name, id)

    def set_sc_run_as_account(
        self, run_as_account: RunAsAccount, *, credential: Credential | None = None, description: str | None = None
    ) -> RunAsAccount:
        """``Set-SCRunAsAccount [-Credential] [-Description]`` (§5.2: change the proxy account here)."""
        def plan() -> Callable[[], RunAsAccount]:
            self._require("RunAsAccount", run_as_account)
            if credential is not None:
                _check_credential(credential)
            return lambda: set_given(run_as_account, credential=credential, description=description)
        return self._change("Set-SCRunAsAccount", {"run_as_account": run_as_account, "credential": credential}, plan)

    def remove_sc_run_as_account(self, run_as_account: RunAsAccount) -> None:
        """``Remove-SCRunAsAccount``; refused while a managed host uses the account."""
        def plan() -> Callable[[], None]:
            self._require("RunAsAccount", run_as_account)
            users = [host.name for host in self._all("VMHost") if host.credential is run_as_account]
            if users:
                raise ObjectInUse(f"Run As account {run_as_account.name!r} is used by hosts {users}")
            return lambda: self._drop("RunAsAccount", run_as_account)
        self._change("Remove-SCRunAsAccount", {"run_as_account": run_as_account}, plan)


class LibraryCmdlets(ServerCore):
    """Library shares holding scripts by relative path."""

    def add_sc_library_share(self, share_path: str, *, description: str = "") -> LibraryShare:
        """``Add-SCLibraryShare -SharePath``: a UNC path ``\\\\server\\share``; the share is named by
        its last component."""
        def plan() -> Callable[[], LibraryShare]:
            parts = [part for part in share_path.split("\\") if part] if isinstance(share_path, str) else []
            if len(parts) < 2 or not share_path.startswith("\\\\"):
                raise InvalidParameter(f"SharePath: {share_path!r} is not a UNC path \\\\server\\share")
            if any(share.path.casefold() == share_path.casefold() for share in self._all("LibraryShare")):
                raise DuplicateName(f"library share {share_path!r} is already in the library")
            return lambda: self._add("LibraryShare", LibraryShare(self._new_id(), parts[-1], share_path, description))
        return self._change("Add-SCLibraryShare", {"share_path": share_path}, plan)

    def get_sc_library_share(self, name: str | None = None, *, id: str | None = None) -> list[LibraryShare]:
        """``Get-SCLibraryShare [-Name] [-ID]``."""
        return self._get("Get-SCLibraryShare", "LibraryShare", name, id)

    @property
    def default_library_share(self) -> LibraryShare:
        """The share VMM setup created (policy ``VmmPolicy.default_library_share``)."""
        share: LibraryShare = self._all("LibraryShare")[0]
        return share

    def find_library_script(self, relative_path: str, *, library_share: LibraryShare | None = None) -> LibraryScript:
        """The script at ``relative_path`` of ``library_share`` (default: the default share), or
        ``ScriptNotFound`` (an ``ObjectNotFound``). Not a cmdlet: what a recovery-plan script step resolves (§5.7)."""
        share = library_share or self.default_library_share
        self._require("LibraryShare", share)
        script = share.find_script(relative_path)
        if script is None:
            raise ScriptNotFound(f"There is no script '{relative_path}' on the library share '{share.path}' of "
                                 f"VMM server {self.name}.")
        return script


def _check_credential(credential: object) -> None:
    if not isinstance(credential, Credential) or not credential.user_name:
        raise InvalidParameter("Credential: a Credential with a user name is required")
