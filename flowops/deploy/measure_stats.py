"""The statistics behind ``flowops measure``: proportions from counts.

``GetMetricDataV2`` gives counts per flows outcome type and average/maximum flow times,
not per-contact times: shares can be tested exactly (two-proportion z-test, or Fisher's
exact test when a cell is small), times cannot (no variance), so times are compared as
averages only and said to be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

#: Fisher's exact test instead of the z-test when an expected cell count is below this.
SMALL_CELL = 5.0


@dataclass(frozen=True)
class ShareTest:
    """Difference of one share between a base and a new sample."""

    base: float  # share in percent
    new: float
    difference: float  # new - base, percentage points
    low: float  # confidence interval of the difference, percentage points
    high: float
    p_value: float
    test: str  # "two-proportion z-test" or "Fisher exact"


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: int, total: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval of a share, in percent (two-sided at ``confidence``)."""
    if total <= 0:
        return 0.0, 100.0
    z = _z(confidence)
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test on the table ``[[a, b], [c, d]]``."""
    row1, col1, n = a + b, a + c, a + b + c + d

    def log_p(x: int) -> float:
        return _log_choose(col1, x) + _log_choose(n - col1, row1 - x) - _log_choose(n, row1)

    observed = log_p(a)
    total = 0.0
    for x in range(max(0, row1 + col1 - n), min(row1, col1) + 1):
        lp = log_p(x)
        if lp <= observed + 1e-7:
            total += math.exp(lp)
    return min(1.0, total)


def compare_shares(
    base_hits: int, base_total: int, new_hits: int, new_total: int, confidence: float
) -> ShareTest | None:
    """Test whether a share differs between two samples (None when one is empty)."""
    if base_total <= 0 or new_total <= 0:
        return None
    p1, p2 = base_hits / base_total, new_hits / new_total
    pooled = (base_hits + new_hits) / (base_total + new_total)
    spread = math.sqrt(p1 * (1 - p1) / base_total + p2 * (1 - p2) / new_total)
    half = _z(confidence) * spread
    expected = min(
        pooled * base_total,
        (1 - pooled) * base_total,
        pooled * new_total,
        (1 - pooled) * new_total,
    )
    if expected < SMALL_CELL:
        p_value = fisher_exact(base_hits, base_total - base_hits, new_hits, new_total - new_hits)
        test = "Fisher exact"
    else:
        se = math.sqrt(pooled * (1 - pooled) * (1 / base_total + 1 / new_total))
        z = (p2 - p1) / se if se else 0.0
        p_value = math.erfc(abs(z) / math.sqrt(2))
        test = "two-proportion z-test"
    diff = p2 - p1
    return ShareTest(
        round(100 * p1, 2),
        round(100 * p2, 2),
        round(100 * diff, 2),
        round(100 * (diff - half), 2),
        round(100 * (diff + half), 2),
        p_value,
        test,
    )
