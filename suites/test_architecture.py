"""The import directions of DESIGN.md: simcore <- hyperv_fake <- scvmm_fake; simcore <- asr_emulator;
everything <- drlab. ASR knows SCVMM, Hyper-V and VMware sites only through what their agents report.
channel_client (the agents' side of the channel) sits on simcore, under both site emulators that
register to a vault; vmware_fake sits beside scvmm_fake and knows nothing of VMM or Hyper-V."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("simcore", "channel_client", "hyperv_fake", "scvmm_fake", "vmware_fake", "asr_emulator", "drlab")
ALLOWED = {
    "simcore": set(),
    "hyperv_fake": {"simcore"},
    "channel_client": {"simcore"},
    "scvmm_fake": {"simcore", "channel_client", "hyperv_fake"},
    "vmware_fake": {"simcore", "channel_client"},
    "asr_emulator": {"simcore"},
    "drlab": set(PACKAGES) - {"drlab"},
}


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_what_the_design_allows(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    if package == "simcore":
        assert files, "simcore must exist"
    offenders = {
        str(path.relative_to(ROOT)): sorted(bad)
        for path in files
        if (bad := _imported_packages(path) - ALLOWED[package] - {package})
    }
    assert offenders == {}, f"{package} may import only {sorted(ALLOWED[package])}"
