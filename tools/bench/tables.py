"""The report's tables: each figure beside the stock bot's, and each bar with whether it is met."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Optional, Sequence

from tools.bench.figures import Figures
from tools.bench.plan import Plan
from tools.bench.stats import GROWTH_BLOCK, block_median, growth, missing


Kind = Literal["time", "rate", "size", "count"]
# (lower is better, word when ours is better, word when ours is worse)
_KINDS: dict[Kind, tuple[bool, str, str]] = {
    "time": (True, "faster", "slower"),
    "rate": (False, "faster", "slower"),
    "size": (True, "smaller", "larger"),
    "count": (True, "fewer", "more"),
}


def ratio_text(ours: Optional[float], stock: Optional[float], kind: Kind) -> str:
    """``ours/stock`` and how many times better or worse, e.g. ``0.20 (5.0× faster)``."""
    if ours is None or stock is None or missing(ours) or missing(stock):
        return "—"
    if ours == stock:
        return "1.00 (same)"
    if ours == 0 or stock == 0:
        return "—"
    lower_is_better, better, worse = _KINDS[kind]
    factor = stock / ours if lower_is_better else ours / stock
    if abs(factor - 1) < 0.05:
        verdict = "about the same"
    elif factor > 1:
        verdict = f"{factor:.1f}× {better}"
    else:
        verdict = f"{1 / factor:.1f}× {worse}"
    return f"{ours / stock:.2f} ({verdict})"


def number(value: Optional[float]) -> str:
    """Three significant figures or so: 0.83, 8.3, 83, 830."""
    if value is None or missing(value):
        return "—"
    if isinstance(value, int):
        return str(value)
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


Row = tuple[str, Callable[[Figures], Optional[float]], Kind]


def _load(level: str, attribute: str) -> Callable[[Figures], Optional[float]]:
    return lambda f: getattr(getattr(f, level), attribute) if getattr(f, level) else None


def rows(plan: Plan) -> list[Row]:
    many = f"{plan.clients} clients"
    long = f"{plan.growth_turns}-turn conversation"
    return [
        ("1 client p50 (ms)", _load("one_client", "p50_ms"), "time"),
        ("1 client p95 (ms)", _load("one_client", "p95_ms"), "time"),
        ("1 client p99 (ms)", _load("one_client", "p99_ms"), "time"),
        ("1 client msg/s", _load("one_client", "messages_per_s"), "rate"),
        (f"{many} p50 (ms)", _load("many_clients", "p50_ms"), "time"),
        (f"{many} p95 (ms)", _load("many_clients", "p95_ms"), "time"),
        (f"{many} p99 (ms)", _load("many_clients", "p99_ms"), "time"),
        (f"{many} msg/s", _load("many_clients", "messages_per_s"), "rate"),
        (f"{long}, turns 1-{GROWTH_BLOCK} median (ms)", lambda f: block_median(f.turns_ms, first=True), "time"),
        (f"{long}, last {GROWTH_BLOCK} turns median (ms)", lambda f: block_median(f.turns_ms, first=False), "time"),
        (f"{long}, last {GROWTH_BLOCK} / first {GROWTH_BLOCK}", lambda f: growth(f.turns_ms), "time"),
        ("errors, 1 client", _load("one_client", "errors"), "count"),
        (f"errors, {many}", _load("many_clients", "errors"), "count"),
        (f"errors, {long}", _load("long_conversation", "errors"), "count"),
        ("start to first answer (s)", lambda f: f.start_to_first_answer_s, "time"),
        ("Rasa server RSS (MB)", lambda f: f.rss_mb.get("rasa"), "size"),
        ("action server RSS (MB)", lambda f: f.rss_mb.get("actions"), "size"),
        ("all processes RSS (MB)", lambda f: sum(f.rss_mb.values()) if f.rss_mb else None, "size"),
        ("Rasa server peak RSS (MB)", lambda f: f.peak_rss_mb.get("rasa"), "size"),
        ("full training (s)", lambda f: f.full_training_s, "time"),
        ("unchanged training (s)", lambda f: f.unchanged_training_s, "time"),
    ]

@dataclass(frozen=True)
class Target:
    name: str
    aim: str
    value: Optional[float]
    met: Optional[bool]


def targets(ours: Figures, stock: Optional[Figures], plan: Plan) -> list[Target]:
    """The bars, each a ratio to the stock bot measured in the same run or a bound; None: not measured."""

    def ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
        if numerator is None or not denominator or missing(numerator) or missing(denominator):
            return None
        return numerator / denominator

    def check(name: str, aim: str, value: Optional[float], ok: Callable[[float], bool]) -> Target:
        return Target(name, aim, value, None if value is None or missing(value) else ok(value))

    def read(figures: Optional[Figures], value: Callable[[Figures], Optional[float]]) -> Optional[float]:
        return value(figures) if figures else None

    p50 = _load("one_client", "p50_ms")
    rate = _load("many_clients", "messages_per_s")
    rss = ours.rss_mb.get("rasa")
    long = f"{plan.growth_turns}-turn conversation"
    return [
        check("1 client p50, stock / ours (×)", "≥ 2.5", ratio(read(stock, p50), p50(ours)), lambda v: v >= 2.5),
        check(f"{plan.clients} clients msg/s, ours / stock (×)", "≥ 2.5", ratio(rate(ours), read(stock, rate)),
              lambda v: v >= 2.5),
        check(f"{long}, last {GROWTH_BLOCK} / first {GROWTH_BLOCK} turns median", "≤ 1.25", growth(ours.turns_ms),
              lambda v: v <= 1.25),
        check("start to first answer, ours / stock", "≤ 0.4",
              ratio(ours.start_to_first_answer_s, stock and stock.start_to_first_answer_s), lambda v: v <= 0.4),
        check("Rasa server RSS (MB)", "≤ 800", rss, lambda v: v <= 800),
        check("Rasa server RSS, ours / stock", "≤ 0.7", ratio(rss, stock and stock.rss_mb.get("rasa")),
              lambda v: v <= 0.7),
        check("unchanged training (s)", "≤ 30", ours.unchanged_training_s, lambda v: v <= 30),
    ]


def comparison_table(ours: Figures, stock: Optional[Figures], plan: Plan) -> str:
    lines = ["| Figure | Ours | Stock (`rasa init`) | Ours/stock |", "|---|---:|---:|---|"]
    for label, read, kind in rows(plan):
        mine, theirs = read(ours), read(stock) if stock else None
        lines.append(f"| {label} | {number(mine)} | {number(theirs)} | {ratio_text(mine, theirs, kind)} |")
    return "\n".join(lines)


def targets_table(found: Sequence[Target]) -> str:
    lines = ["| Bar | Aim | Measured | Met |", "|---|---|---:|---|"]
    verdicts = {True: "yes", False: "**no**", None: "not measured"}
    lines += [f"| {t.name} | {t.aim} | {number(t.value)} | {verdicts[t.met]} |" for t in found]
    return "\n".join(lines)
