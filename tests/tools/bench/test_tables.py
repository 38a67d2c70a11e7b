"""The report's tables: ratios worded as a reader wants them, and the bars as ratios to stock from the same run."""

from __future__ import annotations

import pytest

from tools.bench.figures import Figures, Load
from tools.bench.plan import Plan
from tools.bench.tables import number, ratio_text, targets


@pytest.mark.parametrize(
    "ours,stock,kind,expected",
    [
        (20.0, 100.0, "time", "0.20 (5.0× faster)"),
        (200.0, 100.0, "time", "2.00 (2.0× slower)"),
        (60.0, 20.0, "rate", "3.00 (3.0× faster)"),
        (10.0, 20.0, "rate", "0.50 (2.0× slower)"),
        (1200.0, 600.0, "size", "2.00 (2.0× larger)"),
        (300.0, 600.0, "size", "0.50 (2.0× smaller)"),
        (102.0, 100.0, "time", "1.02 (about the same)"),
        (0, 0, "count", "1.00 (same)"),
        (0, 3, "count", "—"),
        (None, 3.0, "time", "—"),
        (3.0, None, "time", "—"),
        (float("nan"), 3.0, "time", "—"),
    ],
)
def test_ratio_text(ours, stock, kind, expected: str) -> None:
    assert ratio_text(ours, stock, kind) == expected


@pytest.mark.parametrize(
    "value,expected", [(0.834, "0.83"), (8.34, "8.34"), (83.4, "83.4"), (834.4, "834"), (3, "3"), (None, "—")]
)
def test_number(value, expected: str) -> None:
    assert number(value) == expected


def _load(p50: float, p95: float, rate: float) -> Load:
    return Load(1, 10, 0, p50, p95, p95, p50, p95, 1.0, rate)


def test_bars_are_ratios_to_stock_measured_in_the_same_run() -> None:
    ours = Figures("ours", start_to_first_answer_s=6.0, one_client=_load(6, 10, 150), many_clients=_load(100, 200, 200))
    ours.rss_mb = {"rasa": 900.0, "actions": 100.0}
    ours.turns_ms = [10.0] * 20 + [11.0] * 160 + [12.0] * 20
    stock = Figures("stock", start_to_first_answer_s=20.0, one_client=_load(18, 30, 50), many_clients=_load(300, 400, 70))
    stock.rss_mb = {"rasa": 1500.0}
    found = {t.name.split(",")[0] if "turn" not in t.name else "growth": t for t in targets(ours, stock, Plan())}
    assert found["1 client p50"].value == pytest.approx(3.0) and found["1 client p50"].met is True
    assert found["20 clients msg/s"].value == pytest.approx(200 / 70) and found["20 clients msg/s"].met is True
    assert found["growth"].value == pytest.approx(1.2) and found["growth"].met is True
    assert found["start to first answer"].value == pytest.approx(0.3) and found["start to first answer"].met is True
    rss = [t for t in targets(ours, stock, Plan()) if t.name.startswith("Rasa server RSS")]
    assert [t.met for t in rss] == [False, True]
    assert found["unchanged training (s)"].met is None


def test_without_stock_the_ratios_are_not_measured() -> None:
    ours = Figures("ours", start_to_first_answer_s=6.0, one_client=_load(6, 10, 150), many_clients=_load(100, 200, 200))
    assert {t.met for t in targets(ours, None, Plan()) if "/" in t.name and "turns" not in t.name} == {None}
