"""Canonical formatting of flow files (``flowops fmt``): plan first, then write.

With ``layout``, designer positions are rewritten too (``flowops fmt --layout``,
``flowops.layout``). Every file is parsed before anything is written, so one file that
does not parse leaves the whole tree untouched (exit 2). Documents stay documents and raw
flow-language files stay raw (``dump_in_own_format``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flowops.errors import BadInputError, FlowParseError
from flowops.files import collect_files
from flowops.layout import laid_out
from flowops.model.canonical import dump_in_own_format
from flowops.model.parse import parse_document_text
from flowops.model.types import Flow


@dataclass(frozen=True, slots=True)
class FormatChange:
    """A file whose canonical text differs from what is on disk (with ``layout``, the
    flow before and after, so positions can be compared)."""

    path: Path
    canonical: str
    old: Flow | None = None
    new: Flow | None = None


def plan_format(paths: Iterable[str | Path], *, layout: bool = False) -> list[FormatChange]:
    """Files that would change; raises ``FlowParseError`` naming every unparseable file.

    With ``layout``, each flow is laid out (``flowops.layout.laid_out``) as well.
    """
    changes: list[FormatChange] = []
    failures: list[str] = []
    for path in collect_files(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            failures.append(f"{path}: cannot read file: {exc}")
            continue
        try:
            doc = parse_document_text(text, source=str(path))
        except FlowParseError as exc:
            failures.append(str(exc))
            continue
        if layout:
            new = doc.with_flow(laid_out(doc.flow))
            canonical = dump_in_own_format(new)
            if canonical != text:
                changes.append(FormatChange(path, canonical, doc.flow, new.flow))
            continue
        canonical = dump_in_own_format(doc)
        if canonical != text:
            changes.append(FormatChange(path, canonical))
    if failures:
        raise FlowParseError("; ".join(failures) + " (nothing was written)")
    return changes


def apply_format(changes: Iterable[FormatChange]) -> None:
    """Write each change (only after ``plan_format`` accepted every file)."""
    for change in changes:
        try:
            change.path.write_text(change.canonical, encoding="utf-8")
        except OSError as exc:
            raise BadInputError(f"{change.path}: cannot write: {exc}") from None
