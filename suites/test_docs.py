"""The documentation's build-time renderings: every policy a page names is rendered, each public
name of the module with it (nothing silently dropped), and every included file exists."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*.md"))


def hook(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docs_hook_{name}", ROOT / "docs" / "hooks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def directives(kind: str) -> list[str]:
    return [found for page in PAGES for found in re.findall(rf"^<!-- {kind}: ([\w./-]+) -->$", page.read_text(), re.M)]


def _defined(module: ModuleType) -> set[str]:
    """The names ``module``'s own source binds at its top level."""
    tree = ast.parse(inspect.getsource(module))
    names: set[str] = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names.update(target.id for target in targets if isinstance(target, ast.Name))
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
    return names


def test_the_emulator_pages_name_every_policy_module() -> None:
    assert set(directives("policies")) >= {
        "asr_emulator.policy._wire", "asr_emulator.policy._jobs", "asr_emulator.policy._protection",
        "asr_emulator.policy._health", "asr_emulator.policy._plans", "asr_emulator.channel.policy",
        "scvmm_fake.policy", "scvmm_fake.provider.policy", "hyperv_fake.policy", "channel_client.policy",
        "vmware_fake.policy"}


@pytest.mark.parametrize("module", directives("policies"))
def test_every_public_policy_is_rendered_with_its_comment(module: str) -> None:
    rendered = hook("policies").render(module)
    loaded = importlib.import_module(module)
    names = getattr(loaded, "__all__", None) or [name for name in vars(loaded) if name.isupper()]
    own = _defined(loaded)  # a name imported to be exported again is rendered where it is defined
    missing = [name for name in names if name in own and f"`{name}`" not in rendered
               and not inspect.isfunction(getattr(loaded, name))]
    assert missing == []
    assert "Policy" in rendered  # the comments came along, not only the values


def test_a_constant_under_another_shares_its_comment() -> None:
    rendered = hook("policies").render("asr_emulator.policy._plans")
    assert "#### `MAX_PLAN_BOOT_GROUPS`, `MAX_PLAN_ITEMS`" in rendered


@pytest.mark.parametrize("path", directives("include"))
def test_every_included_file_exists_and_its_lists_render(path: str) -> None:
    text = hook("include").included(path)
    assert text and "<details>" not in text
