"""Locating ``../shared/corpus``: real flows written by other people, absent in a user's clone."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()


def corpus_files() -> list[Path]:
    """Every corpus flow, or an empty list where the corpus is absent."""
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.glob("*.json"))


def corpus_params() -> list[object]:
    """Parametrize over corpus files; a single skipped case where there are none."""
    files = corpus_files()
    if not files:
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS} (needs ../shared)"),
            )
        ]
    return [pytest.param(f, id=f.name[:80]) for f in files]
