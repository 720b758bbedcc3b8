"""``python -m bench NAME``: run one benchmark. Add yours to BENCHMARKS."""

from __future__ import annotations

import importlib
import sys

#: name -> (its module under ``bench/``, the arguments its ``main`` gets; None: ``main()``
#: takes none). An empty list keeps a ``main(argv=None)`` from reading this command's own.
BENCHMARKS: dict[str, tuple[str, list[str] | None]] = {
    "faults": ("release_faults", []),
    "connect": ("connect_bench", ["--paced"]),
    "lint": ("lint_bench", None),
    "deploy": ("deploy_bench", []),
    "rollback": ("rollback_bench", ["--aliases"]),
    "diff": ("diff_bench", None),
    "peer": ("peer_bench", None),
    "realflows": ("realflows_bench", []),
    "simulate": ("simulate_bench", None),
    "measure": ("measure_bench", []),
    "doctor": ("doctor_bench", []),
    "lag": ("lag_bench", []),
}


def run(name: str) -> int:
    """Run benchmark ``name``; its exit code."""
    module, args = BENCHMARKS[name]
    bench_main = importlib.import_module(f"bench.{module}").main
    return int(bench_main() if args is None else bench_main(list(args)))


def main(argv: list[str]) -> int:
    """Run one benchmark by name, or ``all`` of them in turn (worst exit code wins)."""
    names = sorted(BENCHMARKS) if argv == ["all"] else argv
    if len(names) < 1 or any(name not in BENCHMARKS for name in names):
        print(f"usage: python -m bench {{all,{','.join(sorted(BENCHMARKS))}}}", file=sys.stderr)
        return 2
    return max(run(name) for name in names)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
