"""The diff cases of ``tests/fixtures/diff/cases.yaml``: one base document and its edits.

Each case names edits (``set``, ``delete``, ``append``, ``swap``, ``remove_action``,
``rename_action``, ``move_layout``) on :func:`base`; :func:`apply_edits` makes the new side.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "diff"
CASES: dict[str, dict[str, Any]] = yaml.safe_load((FIXTURES / "cases.yaml").read_text())
_SEGMENT = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


def base() -> dict[str, Any]:
    """The document every case edits."""
    data: dict[str, Any] = json.loads((FIXTURES / "base.json").read_text())
    return data


def _parts(path: str) -> list[str | int]:
    out: list[str | int] = []
    for key, bracket in _SEGMENT.findall(path):
        if key:
            out.append(key)
        elif bracket.isdigit():
            out.append(int(bracket))
        else:
            out.append("@" + bracket)
    return out


def _step(node: Any, part: str | int) -> Any:
    if isinstance(part, str) and part.startswith("@"):
        return next(a for a in node if a["Identifier"] == part[1:])
    return node[part]


def _parent(doc: dict[str, Any], path: str) -> tuple[Any, str | int]:
    parts = _parts(path)
    node: Any = doc
    for part in parts[:-1]:
        node = _step(node, part)
    return node, parts[-1]


def apply_edits(doc: dict[str, Any], edits: list[list[Any]]) -> dict[str, Any]:
    """A copy of ``doc`` with ``edits`` applied in order."""
    out = copy.deepcopy(doc)
    for op, path, *rest in edits:
        if op == "remove_action":
            out["content"]["Actions"] = [
                a for a in out["content"]["Actions"] if a["Identifier"] != path
            ]
            continue
        if op == "rename_action":
            next(a for a in out["content"]["Actions"] if a["Identifier"] == path)["Identifier"] = (
                rest[0]
            )
            continue
        if op == "move_layout":
            meta = out["layout"]["ActionMetadata"]
            meta[rest[0]] = meta.pop(path)
            continue
        parent, last = _parent(out, path)
        if op == "set":
            parent[last] = rest[0]
        elif op == "delete":
            del parent[last]
        elif op == "append":
            _step(parent, last).append(rest[0])
        elif op == "swap":
            items = _step(parent, last)
            i, j = rest[0]
            items[i], items[j] = items[j], items[i]
        else:
            raise AssertionError(f"unknown op {op}")
    return out
