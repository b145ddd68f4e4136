"""The VMM library: shares holding files, scripts among them, found by path relative to a share.

Facts (§5.7, [D:ASR-VMMScript]): recovery-plan scripts live in the VMM library and are named by
a *Script Path relative to the library share root*, e.g. ``\\RPScripts\\RPScript.PS1``, placed on
both VMM servers. ``Add-SCLibraryShare`` adds a share to a library server. What a script does when
a recovery plan runs it is its ``body`` (``_scripts``): a callable, a declared outcome, or none (text only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._scripts import ScriptBody
from .errors import InvalidParameter

__all__ = ["LibraryShare", "LibraryScript", "normalize_relative_path"]


def _clean(path: str) -> str:
    """``path`` with backslashes and one leading backslash, or ``InvalidParameter``."""
    parts = [part for part in path.replace("/", "\\").split("\\") if part]
    if not parts or any(part in (".", "..") for part in parts):
        raise InvalidParameter(f"{path!r} is not a path relative to a library share root")
    return "\\" + "\\".join(parts)


def normalize_relative_path(path: str) -> str:
    """The lookup key of a path relative to a share root (policy ``LIBRARY_PATHS``: Windows paths
    are case-insensitive, ``/`` is accepted as a separator, the leading backslash is optional)."""
    return _clean(path).casefold()


@dataclass(frozen=True)
class LibraryScript:
    """A script file on a share: its path as written, its text and what running it does."""

    path: str
    text: str
    body: ScriptBody | None = None


@dataclass(eq=False)
class LibraryShare:
    """``Microsoft.SystemCenter.VirtualMachineManager.LibraryShare``: a UNC path and its files."""

    id: str
    name: str
    path: str
    description: str = ""
    _files: dict[str, LibraryScript] = field(default_factory=dict, repr=False)

    @property
    def scripts(self) -> list[LibraryScript]:
        """The share's scripts, ordered by their lookup key."""
        return [self._files[key] for key in sorted(self._files)]

    def write_script(self, relative_path: str, text: str = "", *, body: ScriptBody | None = None) -> LibraryScript:
        """Copy a script onto the share (replacing one at that path): a file operation, not a cmdlet,
        visible at once (policy ``LIBRARY_REFRESH``)."""
        script = LibraryScript(_clean(relative_path), text, body)
        self._files[script.path.casefold()] = script
        return script

    def find_script(self, relative_path: str) -> LibraryScript | None:
        return self._files.get(normalize_relative_path(relative_path))
