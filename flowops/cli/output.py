"""Writing to stdout with no framework: shared by the typer commands and lint's fast path.

``flowops lint`` runs from pre-commit hooks without importing typer or rich
(``flowops.cli.lint_fast``), so what both paths write lives here, on the standard library.
"""

from __future__ import annotations

import sys


class _Written:
    documents = 0


def emit(text: str) -> None:
    """Write output (a report, json, sarif, markdown) to stdout exactly as given, ending in
    one newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
    _Written.documents += 1


def documents() -> int:
    """How many outputs :func:`emit` has written in this process (``json_failure`` prints
    a failure document only when the command printed none)."""
    return _Written.documents
