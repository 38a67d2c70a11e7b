"""Percentiles, a load level's summary and the growth of a long conversation's latency."""

from __future__ import annotations

import math
import statistics
from typing import Optional, Sequence

from tools.bench.figures import Load

# Growth compares the median latency of a conversation's last turns with that of its first.
GROWTH_BLOCK = 20


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), interpolating linearly between ranks as numpy does."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(clients: int, latencies_s: Sequence[float], errors: Sequence[str], seconds: float) -> Load:
    ms = [value * 1000 for value in latencies_s]
    return Load(
        clients=clients,
        messages=len(ms),
        errors=len(errors),
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
        p99_ms=percentile(ms, 99),
        mean_ms=statistics.fmean(ms) if ms else math.nan,
        max_ms=max(ms, default=math.nan),
        seconds=seconds,
        messages_per_s=len(ms) / seconds if seconds > 0 else math.nan,
        error_samples=list(errors[:5]),
    )


def growth(turns_ms: Sequence[float], block: int = GROWTH_BLOCK) -> Optional[float]:
    """Median of the last ``block`` turns over that of the first ``block``; None if too few turns."""
    if len(turns_ms) < 2 * block:
        return None
    return statistics.median(turns_ms[-block:]) / statistics.median(turns_ms[:block])


def block_median(turns_ms: Sequence[float], first: bool) -> Optional[float]:
    """Median of the first (or last) ``GROWTH_BLOCK`` turns; None if too few turns."""
    if len(turns_ms) < GROWTH_BLOCK:
        return None
    return statistics.median(turns_ms[:GROWTH_BLOCK] if first else turns_ms[-GROWTH_BLOCK:])


def missing(value: float) -> bool:
    """Whether a figure could not be computed (NaN)."""
    return isinstance(value, float) and math.isnan(value)
