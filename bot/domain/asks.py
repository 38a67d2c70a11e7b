"""What kind of fact a question asks for (a date, a number, ...), and whether a text gives one.

"When did Norway join NATO?" asks for a date; the NATO record has none, so the
answer must say so before giving what the record does say. Both sides are
read on folded text (lower case, no accents), in English and Spanish.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

from bot.domain.text import fold

# Most specific first: "how much money" is a budget, "how many votes did Norway get" a number,
# "what did Norway achieve on the Council" a record of deeds, not the election's result.
# "Does Norway still facilitate ...?" asks whether a 2019 fact holds today: only an update can say.
KINDS = ("budget", "achievement", "number", "result", "date", "person", "current")

_QUESTION = {
    "date": r"when|what year|which year|what date|since when|how long ago|"
    r"cuando|que ano|en que ano|que fecha|en que fecha|desde cuando|hace cuanto",
    "number": r"how many|how much|what number|number of|how large|"
    r"cuantos|cuantas|cuanto|cuanta|que numero|numero de|cifra",
    "person": r"who (is|was|leads|led|heads|headed|signed|runs|ran)|whose|name of the|"
    r"quien(?! mas)|quienes(?! mas)|como se llama",
    "result": r"did (norway|it|they) (win|get|obtain|secure|succeed)|was (norway|it) elected|"
    r"result|outcome|won|win the|elected|succeed|"
    r"gano|ganaron|resultado|consiguio|obtuvo|fue elegid|salio elegid|eligieron|tuvo exito|tuvieron exito|exito",
    "budget": r"budget|spend|spends|spending|cost|costs|funding|money|how much money|"
    r"presupuesto|gasta|gasto|gastos|dinero|financiacion|cuesta",
    # What Norway did or achieved (on the Council, in its term): no source tells it.
    "current": r"still|anymore|any more|today|nowadays|currently|right now|these days|yet|"
    r"todavia|aun|sigue|siguen|hoy|hoy en dia|actualmente|ya se|ya existe|ya esta",
    "achievement": r"achieved|accomplished|achievements?|accomplishments?|track record|"
    r"did (norway|it|they) (achieve|accomplish)|(do|did|done) (on|in|at) the (security )?council|during (its|the|their) term|"
    r"logros?|logrado|consiguio en el consejo|hizo (noruega )?en el consejo|ha hecho (noruega )?en el consejo|durante su mandato",
}
_ASKS = {kind: re.compile(rf"\b(?:{pattern})\b") for kind, pattern in _QUESTION.items()}

_YEAR = r"\b(?:19|20)\d\d\b"
_MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
)
_NUMBER_WORDS = (
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|"
    r"dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|decenas|cientos|miles"
)
_GIVES = {
    "date": re.compile(rf"{_YEAR}|\b(?:{_MONTHS})\b"),
    # A figure that is not a year ("45", "130 votes"), or one written out ("five aims").
    "number": re.compile(rf"\b(?!(?:19|20)\d\d\b)\d+\b|\b(?:{_NUMBER_WORDS})\b"),
    "person": re.compile(
        r"\b(?:minister|prime minister|secretary-general|ambassador|president|"
        r"ministr[oa]|primer[oa] ministr[oa]|secretari[oa] general|embajador[a]?|presidente)\b"
    ),
    "result": re.compile(r"\b(?:elected|won|agreement|elegid[oa]s?|gano|ganaron|acuerdo)\b"),
    "budget": re.compile(r"\b(?:budget|nok|kroner|krone|usd|dollars?|euros?|presupuesto|coronas|dolares)\b|[$€]"),
    # No text tells what Norway achieved; one that did would name it so.
    "achievement": re.compile(r"\b(?:achieved|accomplished|logro|logros|logrado)\b"),
    # Only an update tells what became of a 2019 fact: "Since then, ...", a term that ended.
    "current": re.compile(r"\b(?:since then|desde entonces|ended|termino)\b"),
}


def asked(question: str) -> list[str]:
    """The kinds of fact ``question`` asks for, most specific first."""
    text = fold(question)
    return [kind for kind in KINDS if _ASKS[kind].search(text)]


# "In 2019, ..." dates the snapshot a text describes, not the event asked about.
_SNAPSHOT = re.compile(r"(?:^|(?<=[.:;] ))(?:in|en) (?:19|20)\d\d, ")
# A day of a date ("30 June", "30 de junio") or a resolution's number ("resolution 2690") is no count.
_NOT_COUNTS = re.compile(rf"\b\d{{1,2}} (?:de )?(?:{_MONTHS})\b|\b(?:resolution|resolucion) \d+\b")


def gives(kind: str, texts: Iterable[str]) -> bool:
    """Whether any of ``texts`` states a fact of ``kind``."""
    return any(_GIVES[kind].search(_read(kind, text)) for text in texts)


# A term's period ("for the period 2021-2022") dates the term, not the event asked about.
_PERIOD = re.compile(r"\b(?:19|20)\d\d-(?:19|20)\d\d\b")


def _read(kind: str, text: str) -> str:
    """``text`` folded, without what would pass for a fact of ``kind`` without being one."""
    text = _SNAPSHOT.sub("", fold(text))
    if kind == "date":
        return _PERIOD.sub("", text)
    return _NOT_COUNTS.sub("", text) if kind == "number" else text


def lacking(question: str, texts: Iterable[str]) -> Optional[str]:
    """The first kind of fact ``question`` asks for that none of ``texts`` gives, if any."""
    # The most specific kind decides: "how much does Norway spend" wants a budget, not any figure.
    wanted = asked(question)
    if not wanted:
        return None
    if not gives(wanted[0], texts):
        return wanted[0]
    # "How many soldiers are there today?" is answered by a figure, but not of today: only an update is.
    if "current" in wanted[1:] and not gives("current", texts):
        return "current"
    return None


# A question about figures ("are these figures current?", "¿son recientes las cifras?").
_FIGURES = re.compile(r"\b(?:figures?|numbers?|counts?|statistics|stats|how many|cifras?|numeros?|estadisticas?|cuantos|cuantas)\b")


def about_figures(question: str) -> bool:
    """Whether ``question`` speaks of figures."""
    return bool(_FIGURES.search(fold(question)))


# Words that point back at what was just discussed: "is it still running?", "¿y quién la dirige?"
_BACK = re.compile(
    r"^(?:and|so|y|e|entonces)\b|\b(?:it|its|that|this|those|these|they|them|there|then|else|"
    r"eso|esa|ese|esto|esta|este|ello|ellos|ellas|alli|ahi|entonces|mas|otro|otra|otros|otras|la|lo|le|les)\b"
)
# A follow-up is short: a longer question says what it is about.
_FOLLOW_UP_WORDS = 6


def follow_up(question: str) -> bool:
    """Whether ``question`` reads as a follow-up: short, and pointing back or asking for a kind of fact."""
    text = fold(question)
    words = re.findall(r"\w+", text)
    return 0 < len(words) <= _FOLLOW_UP_WORDS and bool(_BACK.search(text) or asked(question))
