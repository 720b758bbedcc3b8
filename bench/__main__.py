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


def _connect() -> int:
    from bench.connect_bench import main

    return main(["--paced"])


def _realflows() -> int:
    from bench.realflows_bench import main

    return main([])


def _peer() -> int:
    from bench.peer_bench import main

    return main()


def _faults() -> int:
    from bench.release_faults import main

    return main([])


def _simulate() -> int:
    from bench.simulate_bench import main

    return main()


def _measure() -> int:
    from bench.measure_bench import main

    return main([])


def _doctor() -> int:
    from bench.doctor_bench import main

    return main([])


def _lag() -> int:
    from bench.lag_bench import main

    return main([])


BENCHMARKS: dict[str, Callable[[], int]] = {
    "faults": _faults,
    "connect": _connect,
    "lint": _lint,
    "deploy": _deploy,
    "rollback": _rollback,
    "diff": _diff,
    "peer": _peer,
    "realflows": _realflows,
    "simulate": _simulate,
    "measure": _measure,
    "doctor": _doctor,
    "lag": _lag,
}


def main(argv: list[str]) -> int:
    """Run one benchmark by name, or ``all`` of them in turn (worst exit code wins)."""
    names = sorted(BENCHMARKS) if argv == ["all"] else argv
    if len(names) < 1 or any(name not in BENCHMARKS for name in names):
        print(f"usage: python -m bench {{all,{','.join(sorted(BENCHMARKS))}}}", file=sys.stderr)
        return 2
    return max(BENCHMARKS[name]() for name in names)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
