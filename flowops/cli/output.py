"""Writing to stdout with no framework: shared by the typer commands and lint's fast path.

``flowops lint`` runs from pre-commit hooks without importing typer or rich
(``flowops.cli.lint_fast``), so what both paths write lives here, on the standard library.
"""

from __future__ import annotations

import sys


def emit(text: str) -> None:
    """Write output (a report, json, sarif, markdown) to stdout exactly as given, ending in
    one newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
