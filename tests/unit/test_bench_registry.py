"""``python -m bench``'s table: every entry runs a real ``main``, and the Makefile names them."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

from bench.__main__ import BENCHMARKS, main

ROOT = Path(__file__).resolve().parents[2]


def test_every_benchmark_names_a_main_that_takes_what_it_is_given() -> None:
    for name, (module, args) in BENCHMARKS.items():
        bench_main = importlib.import_module(f"bench.{module}").main
        takes = len(inspect.signature(bench_main).parameters)
        assert takes == (0 if args is None else 1), name


def test_the_makefile_lists_every_benchmark() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    listed = re.search(r"BENCHMARKS \(([a-z ]+)\)", makefile)
    assert listed is not None, "the Makefile's bench comment lists the benchmarks"
    assert listed.group(1).split() == sorted(BENCHMARKS)


def test_an_unknown_benchmark_is_a_usage_error() -> None:
    assert main(["no-such-bench"]) == 2
    assert main([]) == 2
