"""``python -m bench NAME``: run one benchmark. Add yours to BENCHMARKS (name -> callable)."""

from __future__ import annotations

import sys
from collections.abc import Callable


def _lint() -> int:
    from bench.lint_bench import main

    return main()


def _diff() -> int:
    from bench.diff_bench import main

    return main()


def _rollback() -> int:
    from bench.rollback_bench import main

    return main(["--aliases"])


def _deploy() -> int:
    from bench.deploy_bench import main

    return main([])


BENCHMARKS: dict[str, Callable[[], int]] = {
    "lint": _lint,
    "deploy": _deploy,
    "rollback": _rollback,
    "diff": _diff,
}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in BENCHMARKS:
        print(f"usage: python -m bench {{{','.join(sorted(BENCHMARKS))}}}", file=sys.stderr)
        return 2
    return BENCHMARKS[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
