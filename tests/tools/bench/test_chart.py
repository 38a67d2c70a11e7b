"""The latency-by-turn chart."""

from __future__ import annotations

from tools.bench.chart import draw_growth
from tools.bench.figures import Figures


def test_the_growth_chart_is_a_png(tmp_path) -> None:
    ours, stock = Figures("ours"), Figures("stock")
    ours.turns_ms, stock.turns_ms = [5.0, 6.0, 5.5], [10.0, 20.0, 30.0]
    path = draw_growth(ours, stock, tmp_path / "growth.png")
    assert path is not None and path.read_bytes().startswith(b"\x89PNG")
    assert draw_growth(Figures("ours"), None, tmp_path / "none.png") is None
