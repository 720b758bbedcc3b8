"""Real flows from real teams go dev -> staging -> prod exactly (a seeded corpus sample).

The full corpus runs in ``python -m bench realflows`` (counts in ``bench/results.md``);
this is the same run over a sample small enough for the suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.realflows_bench import run, sample
from tests.corpus import CORPUS, corpus_files


@pytest.mark.skipif(not corpus_files(), reason=f"corpus not found at {CORPUS} (needs ../shared)")
def test_a_corpus_sample_reaches_staging_and_prod_with_every_reference_remapped(
    tmp_path: Path,
) -> None:
    files = sample(corpus_files(), 24, seed=10)
    report = run(files, tmp_path)
    assert report.problems == []
    assert report.loaded + len(report.left_out) == len(files)
    assert report.loaded >= 20 and report.references >= 30
    assert report.writes["staging"] > 0 and report.writes["prod"] > 0
    assert report.rewrites == {"staging": 0, "prod": 0}
