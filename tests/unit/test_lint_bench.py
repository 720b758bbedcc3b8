"""The lint benchmark's generator and results file (the timing itself is not a test)."""

from __future__ import annotations

import random
from pathlib import Path

from bench.lint_bench import generate_flow, update_results, write_generated
from flowops.lint import lint_paths


def test_generated_flows_are_valid_deterministic_and_structurally_clean(tmp_path: Path) -> None:
    a = generate_flow(random.Random(1), 0)
    assert a == generate_flow(random.Random(1), 0)
    assert len(a["Actions"]) == 150
    paths = write_generated(tmp_path, count=5)
    report = lint_paths(paths)
    assert not report.errors
    structural = [f for f in report.findings if f.rule.startswith("FL1")]
    assert structural == []


def test_update_results_replaces_only_the_lint_section(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    update_results("## Lint\n\nfirst\n", results)
    assert results.read_text(encoding="utf-8") == "# Benchmark results\n\n## Lint\n\nfirst\n"
    results.write_text(
        "# Benchmark results\n\n## Diff\n\nkeep\n\n## Lint\n\nold\n\n## Deploy\n\nkeep too\n",
        encoding="utf-8",
    )
    update_results("## Lint\n\nnew\n", results)
    text = results.read_text(encoding="utf-8")
    assert "old" not in text and "## Lint\n\nnew\n" in text
    assert text.index("## Diff") < text.index("## Lint") < text.index("## Deploy")
    assert "keep\n" in text and "keep too\n" in text
