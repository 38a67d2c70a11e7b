"""The report as one self-contained HTML file: inline CSS and SVG, no script, nothing fetched.

Everything visitors typed is escaped: a question is data, never markup.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import Iterable, Mapping, Sequence

from bot.domain.languages import registry
from tools.report.analysis import CATEGORIES, NOT_ANSWERED, OUTCOMES, WEAK_ANSWERS, Group, Report

# Each language its colour from the registry (bot/languages.yml), in its order.
COLOURS = {entry.code: entry.colour for entry in registry()}
OTHER_COLOUR = "#777"
CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.cards{display:flex;flex-wrap:wrap;gap:1rem}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem}
.card b{display:block;font-size:1.5rem}table{border-collapse:collapse;margin:.5rem 0}
td,th{border-bottom:1px solid #eee;padding:.25rem .6rem;text-align:left;vertical-align:top}
td.n{text-align:right}.variants{color:#555;font-size:.9em}.legend span{margin-right:1rem}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.3em}.empty{color:#666}
.reviewed{color:#2a6f2a}
"""


def coverage(report: Report, generated: datetime, retention_days: int) -> str:
    """The period the report covers, and the retention that bounds it."""
    start = "the oldest conversation kept"
    if report.since is not None:
        start = f"{datetime.fromtimestamp(report.since, timezone.utc):%Y-%m-%d %H:%M}"
    return (
        f"Period: {start} to {generated:%Y-%m-%d %H:%M} UTC. Conversations are kept {retention_days} days "
        "(CONVERSATION_RETENTION_DAYS); older ones are left out even before they are deleted."
    )


def render(report: Report, generated: datetime, period: str) -> str:
    sections = [
        _summary(report),
        _volume(report),
        _answered(report),
        _unanswered(report),
        _names(report),
        _ratings(report),
    ]
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        # No script, no outside resource: the file opens the same offline.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>What visitors asked</title>"
        f"<style>{CSS}</style></head><body><h1>What visitors asked</h1>"
        f"<p>{_period(report)} Generated {generated:%Y-%m-%d %H:%M} UTC.</p>"
        f"<p class=\"period\">{escape(period)}</p>"
        + "".join(sections)
        + "</body></html>\n"
    )


def _period(report: Report) -> str:
    if report.first is None:
        return "No conversations in this period."
    first, last = (datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d") for t in (report.first, report.last))
    return f"Conversations from {first} to {last}."


def _summary(report: Report) -> str:
    cards = [
        ("Conversations", report.conversations),
        ("Messages", report.messages),
        ("Questions", report.questions),
        ("Answered", f"{report.share_answered:.0%}"),
        ("Answered weakly", sum(report.outcomes[name] for name in WEAK_ANSWERS)),
        ("Not answered", report.outcomes[NOT_ANSWERED]),
        ("Rated up / down", f"{report.ratings['up']} / {report.ratings['down']}"),
    ]
    body = "".join(f"<div class=\"card\"><b>{escape(str(v))}</b>{escape(k)}</div>" for k, v in cards)
    return f"<section><h2>Summary</h2><div class=\"cards\">{body}</div></section>"


def _volume(report: Report) -> str:
    days = sorted(report.messages_per_day)
    rows = "".join(
        f"<tr><td>{d}</td><td class=\"n\">{sum(report.conversations_per_day[d].values())}</td>"
        f"<td class=\"n\">{sum(report.messages_per_day[d].values())}</td>"
        + "".join(f"<td class=\"n\">{report.messages_per_day[d][lang]}</td>" for lang in COLOURS)
        + "</tr>"
        for d in days
    )
    table = (
        "<table><tr><th>Day</th><th>Conversations</th><th>Messages</th>"
        + "".join(f"<th>Messages ({lang})</th>" for lang in COLOURS)
        + f"</tr>{rows}</table>"
    )
    return (
        "<section><h2>Volume per day and language</h2>"
        + _legend()
        + _stacked_bars("Messages per day", days, [report.messages_per_day[d] for d in days])
        + _stacked_bars("Conversations per day", days, [report.conversations_per_day[d] for d in days])
        + table
        + "</section>"
    )


def _answered(report: Report) -> str:
    langs = sorted(set(report.questions_per_language) | set(COLOURS))
    rows = []
    for lang in langs:
        asked, answered = report.questions_per_language[lang], report.answered_per_language[lang]
        share = answered / asked if asked else 0.0
        rows.append((lang, asked, answered, share))
    table = "".join(
        f"<tr><td>{escape(lang)}</td><td class=\"n\">{asked}</td><td class=\"n\">{answered}</td>"
        f"<td class=\"n\">{share:.0%}</td></tr>"
        for lang, asked, answered, share in rows
    )
    bars = _share_bars([(lang, share) for lang, asked, _, share in rows if asked])
    return (
        "<section><h2>Questions answered</h2>"
        f"<p>{report.answered} of {report.questions} questions got an answer from the fact store "
        f"({report.share_answered:.0%}), confidently and to what was asked. Answers with low confidence and "
        "answers with a nearby text (the source lacks what was asked; another country's figures asked for) "
        "are counted apart. Greetings, thanks, language switches and ratings are not counted.</p>"
        + _outcomes(report)
        + f"{bars}<table><tr><th>Language</th><th>Questions</th><th>Answered</th><th>Share</th></tr>{table}</table>"
        "</section>"
    )


def _outcomes(report: Report) -> str:
    """Each outcome with its share of the questions, and the ratings its answers got beside it."""
    rows = "".join(
        f"<tr><td>{escape(title)}</td><td class=\"n\">{report.outcomes[name]}</td>"
        f"<td class=\"n\">{report.outcomes[name] / (report.questions or 1):.0%}</td>"
        + _rated(report, name) + "</tr>"
        for name, title in OUTCOMES.items()
    )
    return (
        "<table id=\"outcomes\"><tr><th>Outcome</th><th>Questions</th><th>Share</th>"
        f"<th>Rated 👍</th><th>Rated 👎</th></tr>{rows}</table>"
    )


UNANSWERED = "Questions not answered, or answered weakly"


def _rated(report: Report, name: str) -> str:
    """The 👍/👎 cells of an outcome; a question not answered had no answer to rate."""
    if name == NOT_ANSWERED:
        return "<td class=\"n\">–</td><td class=\"n\">–</td>"
    counts = report.ratings_per_outcome.get(name, {})
    return f"<td class=\"n\">{counts.get('up', 0)}</td><td class=\"n\">{counts.get('down', 0)}</td>"


def _unanswered(report: Report) -> str:
    if not report.unanswered:
        return f"<section><h2>{UNANSWERED}</h2><p class=\"empty\">None in this period.</p></section>"
    parts = [f"<section><h2>{UNANSWERED}</h2>"]
    for name, title in CATEGORIES.items():
        groups = report.unanswered.get(name)
        if groups:
            count = sum(g.count for g in groups)
            parts.append(f"<h3 id=\"{name}\">{escape(title)} ({count})</h3>{_groups(groups, name in WEAK_ANSWERS)}")
    return "".join(parts) + "</section>"


def _groups(groups: Sequence[Group], answered: bool) -> str:
    """The groups of one category; the 👍/👎 their answers got when they were answered at all."""
    rows = "".join(
        f"<tr><td class=\"n\">{g.count}</td><td>{escape(g.label)}"
        + (f"<div class=\"variants\">also: {escape(' · '.join(g.variants))}</div>" if g.variants else "")
        + "</td>"
        + (f"<td class=\"n\">{g.ratings['up']}</td><td class=\"n\">{g.ratings['down']}</td>" if answered else "")
        + f"<td class=\"reviewed\">{_reviewed(g)}</td></tr>"
        for g in groups
    )
    ratings = "<th>👍</th><th>👎</th>" if answered else ""
    return (
        f"<table><tr><th>Times</th><th>Question (similar ones grouped)</th>{ratings}"
        f"<th>Reviewed (make review)</th></tr>{rows}</table>"
    )


def _reviewed(found: Group) -> str:
    """The intents staff chose for the group's wordings, with how many of them; empty when none was reviewed."""
    if not found.reviewed:
        return ""
    intents = ", ".join(escape(i) for i in dict.fromkeys(found.reviewed.values()))
    return f"✓ {intents} ({len(found.reviewed)} of {len(found.texts)})"


def _names(report: Report) -> str:
    if not report.unknown_names:
        return ""
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td class=\"n\">{count}</td></tr>"
        for name, count in report.unknown_names.most_common()
    )
    return (
        "<section><h2>Names asked about that the store lacks</h2>"
        f"<table><tr><th>Name</th><th>Times</th></tr>{rows}</table></section>"
    )


def _ratings(report: Report) -> str:
    if not report.rated:
        return "<section><h2>Ratings</h2><p class=\"empty\">No answer was rated in this period.</p></section>"
    facts = "".join(
        f"<tr><td>{escape(fact)}</td><td class=\"n\">{counts['up']}</td><td class=\"n\">{counts['down']}</td></tr>"
        for fact, counts in sorted(report.ratings_per_fact.items(), key=lambda item: (-item[1]["down"], item[0]))
    )
    down = "".join(
        f"<tr><td>{escape(r.question)}</td><td>{escape(', '.join(r.facts))}</td><td>{escape(r.language)}</td></tr>"
        for r in report.down_rated
    )
    return (
        "<section><h2>Ratings</h2>"
        f"<p>Rated up: {report.ratings['up']}; rated down: {report.ratings['down']}.</p>"
        f"<table><tr><th>Fact</th><th>Up</th><th>Down</th></tr>{facts}</table>"
        "<h3 id=\"down-rated\">Answers rated down, with the questions that led to them</h3>"
        + (f"<table><tr><th>Question</th><th>Facts answered</th><th>Language</th></tr>{down}</table>"
           if down else "<p class=\"empty\">None.</p>")
        + "</section>"
    )


# --- charts: inline SVG ---------------------------------------------------------

BAR_W, GAP, HEIGHT, LEFT, BOTTOM = 28, 10, 140, 36, 40


def _legend() -> str:
    items = "".join(
        f"<span><i class=\"swatch\" style=\"background:{colour}\"></i>{lang}</span>" for lang, colour in COLOURS.items()
    )
    return f"<p class=\"legend\">{items}</p>"


def _stacked_bars(title: str, labels: Sequence[str], values: Sequence[Mapping[str, int]]) -> str:
    """One bar per label, stacked by language."""
    top = max((sum(v.values()) for v in values), default=0) or 1
    width = LEFT + len(labels) * (BAR_W + GAP) + GAP
    shapes = [_axis(top, width)]
    for i, (label, counts) in enumerate(zip(labels, values)):
        x, y = LEFT + GAP + i * (BAR_W + GAP), HEIGHT
        for lang, count in _ordered(counts):
            h = count / top * (HEIGHT - 10)
            y -= h
            shapes.append(
                f"<rect x=\"{x}\" y=\"{y:.1f}\" width=\"{BAR_W}\" height=\"{h:.1f}\" fill=\"{COLOURS.get(lang, OTHER_COLOUR)}\">"
                f"<title>{escape(label)} {escape(lang)}: {count}</title></rect>"
            )
        shapes.append(
            f"<text x=\"{x + BAR_W / 2}\" y=\"{HEIGHT + 14}\" font-size=\"10\" text-anchor=\"end\" "
            f"transform=\"rotate(-35 {x + BAR_W / 2} {HEIGHT + 14})\">{escape(label[5:])}</text>"
        )
    return _svg(title, width, shapes)


def _share_bars(shares: Sequence[tuple[str, float]]) -> str:
    width = LEFT + len(shares) * (BAR_W * 2 + GAP) + GAP
    shapes = [_axis(1, width, percent=True)]
    for i, (lang, share) in enumerate(shares):
        x = LEFT + GAP + i * (BAR_W * 2 + GAP)
        h = share * (HEIGHT - 10)
        shapes.append(
            f"<rect x=\"{x}\" y=\"{HEIGHT - h:.1f}\" width=\"{BAR_W * 2}\" height=\"{h:.1f}\" "
            f"fill=\"{COLOURS.get(lang, OTHER_COLOUR)}\"><title>{escape(lang)}: {share:.0%}</title></rect>"
            f"<text x=\"{x + BAR_W}\" y=\"{HEIGHT + 14}\" font-size=\"11\" text-anchor=\"middle\">"
            f"{escape(lang)} {share:.0%}</text>"
        )
    return _svg("Share of questions answered, per language", width, shapes)


def _axis(top: float, width: int, percent: bool = False) -> str:
    label = "100%" if percent else f"{top:g}"
    return (
        f"<line x1=\"{LEFT}\" y1=\"{HEIGHT}\" x2=\"{width}\" y2=\"{HEIGHT}\" stroke=\"#999\"/>"
        f"<text x=\"{LEFT - 4}\" y=\"14\" font-size=\"10\" text-anchor=\"end\">{label}</text>"
        f"<text x=\"{LEFT - 4}\" y=\"{HEIGHT}\" font-size=\"10\" text-anchor=\"end\">0</text>"
    )


def _ordered(counts: Mapping[str, int]) -> Iterable[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (item[0] not in COLOURS, item[0]))


def _svg(title: str, width: int, shapes: Sequence[str]) -> str:
    return (
        f"<figure><svg role=\"img\" aria-label=\"{escape(title)}\" width=\"{max(width, 200)}\" "
        f"height=\"{HEIGHT + BOTTOM}\" viewBox=\"0 0 {max(width, 200)} {HEIGHT + BOTTOM}\" "
        f"xmlns=\"http://www.w3.org/2000/svg\">{''.join(shapes)}</svg>"
        f"<figcaption>{escape(title)}</figcaption></figure>"
    )
