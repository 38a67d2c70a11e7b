"""Percentiles, load summaries and the growth of a long conversation's latency."""

from __future__ import annotations

import math

import pytest

from tools.bench.stats import block_median, growth, percentile, summarise


@pytest.mark.parametrize(
    "q,expected",
    [(0, 1.0), (50, 2.5), (100, 4.0), (25, 1.75), (95, 3.85)],
)
def test_percentile_interpolates_like_numpy(q: float, expected: float) -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], q) == pytest.approx(expected)


def test_percentile_of_one_value_and_of_none() -> None:
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))


def test_summarise_counts_messages_errors_and_rate() -> None:
    load = summarise(2, [0.010, 0.020, 0.030, 0.040], ["500 for 'hi'"], seconds=0.5)
    assert (load.messages, load.errors, load.clients) == (4, 1, 2)
    assert load.p50_ms == pytest.approx(25.0)
    assert load.max_ms == pytest.approx(40.0)
    assert load.messages_per_s == pytest.approx(8.0)
    assert load.error_samples == ["500 for 'hi'"]


def test_growth_compares_the_last_twenty_turns_with_the_first() -> None:
    assert growth([5.0] * 20 + [50.0] * 20) == pytest.approx(10.0)
    assert growth([5.0] * 39) is None


def test_block_medians_are_the_first_and_last_twenty_turns() -> None:
    turns = [5.0] * 20 + [7.0] * 10 + [9.0] * 20
    assert (block_median(turns, first=True), block_median(turns, first=False)) == (5.0, 9.0)
    assert block_median([5.0] * 19, first=True) is None
