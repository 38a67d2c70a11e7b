"""What there is to review: the questions the report lists as unanswered or low-confidence, not yet labelled.

The report's own analysis picks and groups them; here they are grouped again
across its categories (a question may have fallen back once and been out of
scope once) and ordered newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from tools.report.analysis import CATEGORIES, Group, Report, example_key, group
from tools.review.examples import clean

# The report's categories an NLU example can help; a nearby text is the fact store's to fix.
REVIEWED = ("fallback", "out_of_scope", "unknown_name", "low_confidence")


@dataclass(frozen=True)
class Wording:
    """One way visitors asked it, in the language the conversation was in."""

    lang: str
    text: str


@dataclass(frozen=True)
class Item:
    """Similar questions, reviewed together: one choice labels every wording."""

    group: Group
    categories: tuple[str, ...]
    wordings: tuple[Wording, ...]

    @property
    def newest(self) -> float:
        return self.group.newest


def items(report: Report, reviewed: Mapping[tuple[str, str], str]) -> list[Item]:
    """The groups still to review, newest first; wordings already labelled are left out."""
    reasons = {id(t): name for name in REVIEWED for g in report.unanswered.get(name, []) for t in g.turns}
    turns = [
        t for name in REVIEWED for g in report.unanswered.get(name, []) for t in g.turns
        if (t.language, example_key(t.text)) not in reviewed and clean(t.text)
    ]
    found = []
    for similar in group(turns):
        newest_first = sorted(similar.turns, key=lambda t: -t.timestamp)
        wordings: dict[tuple[str, str], Wording] = {}
        for turn in newest_first:
            wordings.setdefault((turn.language, example_key(turn.text)), Wording(turn.language, clean(turn.text)))
        categories = tuple(dict.fromkeys(reasons[id(t)] for t in newest_first))
        found.append(Item(similar, categories, tuple(wordings.values())))
    return sorted(found, key=lambda item: -item.newest)


def describe(item: Item) -> str:
    return ", ".join(CATEGORIES[name].lower() for name in item.categories)
