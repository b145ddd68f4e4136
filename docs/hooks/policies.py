"""mkdocs hook: a page line ``<!-- policies: package.module -->`` becomes that module's named policies,
read from its source at build time (never copied): each public constant with its value and the
``#:`` comment above it or the string below it (constants right below one share its comment), each
public class with its docstring and fields; functions are the code applying policies, not policies.
A module that names no policy, or a directive naming no module, fails the build."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path
from typing import Any

DIRECTIVE = re.compile(r"^<!-- policies: ([\w.]+) -->$", re.MULTILINE)
#: the longest value shown in full; longer ones are cut (the source link has the rest)
MAX_VALUE_CHARS = 400


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return DIRECTIVE.sub(lambda match: render(match.group(1)), markdown)


def render(module: str) -> str:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ValueError(f"policies: no module {module}")
    source = Path(spec.origin).read_text()
    tree = ast.parse(source)
    public = _public(tree)
    lines = source.splitlines()
    parts = [f"*From `{module}`:*\n"]
    group: list[tuple[str, str]] = []  # constants under one comment: (name, value)
    doc, last_line = "", -1
    for index, node in enumerate(tree.body):
        after = tree.body[index + 1] if index + 1 < len(tree.body) else None
        name = _assigned(node)
        if isinstance(node, ast.ClassDef) and node.name in public:
            parts.append(_class(node, source, lines))
        elif name and name in public:
            own = _comment_above(lines, node.lineno) or _string(after)
            if own or node.lineno != last_line + 1:  # a constant right below another shares its comment
                parts.extend(_constants(group, doc))
                group, doc = [], own
            group.append((name, ast.get_source_segment(source, node.value) or ""))  # type: ignore[attr-defined]
            last_line = node.end_lineno or node.lineno
    parts.extend(_constants(group, doc))
    if len(parts) == 1:
        raise ValueError(f"policies: {module} names no policy")
    return "\n".join(parts)


def _constants(group: list[tuple[str, str]], doc: str) -> list[str]:
    if not group:
        return []
    heading = ", ".join(f"`{name}`" for name, _ in group)
    code = "\n".join(f"{name} = {_cut(value)}" for name, value in group)
    return [f"#### {heading}\n\n```python\n{code}\n```\n\n{_prose(doc)}\n"]


def _public(tree: ast.Module) -> set[str]:
    """``__all__``'s names (``+=`` included), else every top-level name without a leading underscore."""
    exported = [ast.literal_eval(node.value) for node in tree.body  # type: ignore[attr-defined]
                if _assigned(node) == "__all__" or (isinstance(node, ast.AugAssign) and
                                                    isinstance(node.target, ast.Name) and node.target.id == "__all__")]
    if exported:
        return {name for names in exported for name in names}
    names = {_assigned(node) or getattr(node, "name", "") for node in tree.body}
    return {name for name in names if name and not name.startswith("_")}


def _assigned(node: ast.stmt) -> str | None:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return node.target.id
    return None


def _comment_above(lines: list[str], lineno: int) -> str:
    found: list[str] = []
    for line in reversed(lines[:lineno - 1]):
        if not line.startswith("#:"):
            break
        found.append(line[2:].strip())
    return " ".join(reversed(found))


def _string(node: ast.stmt | None) -> str:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
        return " ".join(node.value.value.split())
    return ""


def _class(node: ast.ClassDef, source: str, lines: list[str]) -> str:
    """A class's docstring, then each public field: its annotation, default and comment."""
    parts = [f"#### `{node.name}`\n\n{_prose(_string(node.body[0]) if node.body else '')}\n"]
    for index, field in enumerate(node.body):
        if not isinstance(field, (ast.Assign, ast.AnnAssign)):
            continue
        target = field.target if isinstance(field, ast.AnnAssign) else field.targets[0]
        if not isinstance(target, ast.Name) or target.id.startswith("_"):
            continue
        after = node.body[index + 1] if index + 1 < len(node.body) else None
        trailing = lines[field.lineno - 1].partition("  # ")[2]
        doc = _comment_above([line.strip() for line in lines], field.lineno) or _string(after) or trailing
        shown = ast.get_source_segment(source, field.annotation) if isinstance(field, ast.AnnAssign) else ""
        if field.value is not None:
            shown = f"{shown} = {ast.get_source_segment(source, field.value)}" if shown else \
                ast.get_source_segment(source, field.value)
        parts.append(f"* `{target.id}: {_cut(shown or '')}`" + (f" — {_prose(doc)}" if doc else ""))
    return "\n".join(parts) + "\n"


def _cut(value: str) -> str:
    return value if len(value) <= MAX_VALUE_CHARS else value[:MAX_VALUE_CHARS] + " …"


def _prose(text: str) -> str:
    """Docstring prose as Markdown: RST double backticks become code spans; outside code, ``<`` and
    ``*`` are literal characters. No comment, no text."""
    pieces = re.split(r"(``.+?``|`[^`]+`)", text)
    return "".join(piece.replace("``", "`") if piece.startswith("`")
                   else piece.replace("<", "&lt;").replace("*", r"\*") for piece in pieces)
