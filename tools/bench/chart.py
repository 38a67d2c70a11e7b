"""The latency of one long conversation turn by turn, both bots on one chart (``results/bench-growth.png``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Optional

from bot.paths import RESULTS as RESULTS_DIR
from tools.bench.figures import Figures

CHART = RESULTS_DIR / "bench-growth.png"


def draw_growth(ours: Figures, stock: Optional[Figures], path: Path = CHART) -> Optional[Path]:
    """A PNG of latency by turn of the long conversation, both bots on one chart; None if nothing to draw."""
    drawn = [f for f in (ours, stock) if f and f.turns_ms]
    if not drawn:
        return None
    import matplotlib

    matplotlib.use("Agg")  # no display: a file only
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 4.5), dpi=100)
    for figures in drawn:
        label = "ours" if figures is ours else "stock (rasa init)"
        axes.plot(range(1, len(figures.turns_ms) + 1), figures.turns_ms, linewidth=0.8, label=label)
    axes.set_xlabel("turn of one conversation")
    axes.set_ylabel("latency over REST (ms)")
    axes.set_ylim(bottom=0)
    axes.set_title(f"Latency by turn, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    axes.grid(alpha=0.3)
    axes.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return path
