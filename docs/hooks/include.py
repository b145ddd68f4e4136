"""mkdocs hook: a page line ``<!-- include: PATH -->`` becomes the file at PATH (from the repository's
root) at build time, so the generated coverage table and the protocol documents are rendered from
the files the repository keeps, never from copies. ``<details>`` blocks get ``markdown="1"`` so the
lists inside them render (``md_in_html``). A missing file fails the build."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

DIRECTIVE = re.compile(r"^<!-- include: ([\w./-]+) -->$", re.MULTILINE)
ROOT = Path(__file__).resolve().parents[2]


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return DIRECTIVE.sub(lambda match: included(match.group(1)), markdown)


def included(path: str) -> str:
    source = ROOT / path
    if not source.is_file():
        raise FileNotFoundError(f"include: no file {path} in the repository")
    return source.read_text().replace("<details>", '<details markdown="1">')
