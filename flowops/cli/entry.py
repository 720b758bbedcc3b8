"""The ``flowops`` console script: ``flowops lint`` first, every other command via typer.

``flowops lint`` runs from pre-commit hooks on every commit: it is parsed here without
importing typer, rich or any other command (``flowops.cli.lint_fast``), unless it needs
what only the typer command has (``--help``, usage errors). The rest goes to
``flowops.cli.main``, which imports only the module of the command it runs.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point."""
    argv = sys.argv[1:]
    if argv[:1] == ["lint"]:
        from flowops.cli.lint_fast import run_fast

        code = run_fast(argv[1:])
        if code is not None:
            sys.exit(code)
    from flowops.cli.main import main as typer_main

    typer_main()
