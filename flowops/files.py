"""Finding flow files on disk: the files named, and every ``*.json`` below folders.

Imports nothing heavy (no git, no networkx), so ``flowops lint`` and ``flowops fmt`` start
fast.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flowops.errors import BadInputError


def json_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, and every ``*.json`` below folders, in a stable order."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        elif path.exists():
            out.append(path)
        else:
            raise BadInputError(f"{path}: no such file or directory")
    return out


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files to process: each file as given, every ``*.json`` under each directory.

    Hidden folders (``.git``, ``.venv``) are skipped. A path that does not exist is bad
    input.
    """
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*.json")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            found = [path]
        else:
            raise BadInputError(f"{path}: no such file or directory")
        for item in found:
            if item not in seen:
                seen.add(item)
                out.append(item)
    return out
