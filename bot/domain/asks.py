"""What kind of fact a question asks for (a date, a number, ...), and whether a text gives one.

"When did Norway join NATO?" asks for a date; the NATO record has none, so the
answer must say so before giving what the record does say. Both sides are
read on folded text (lower case, no accents), with the words of every language
of the registry (``reading`` in ``bot/languages.yml``).
"""

from __future__ import annotations

import re
from typing import Collection, Iterable, Optional

from bot.domain.language import requested_in
from bot.domain.languages import either, registry
from bot.domain.text import fold

# Most specific first: "how many fighter jets" asks for equipment (no text tells it), not any count;
# "how much money" is a budget, "how many votes did Norway get" a number,
# "what did Norway achieve on the Council" a record of deeds, not the election's result;
# "Does Norway still facilitate ...?" asks whether a 2019 fact holds today: only an update can say.
# "Is Norway a member of the EU?" asks for a membership, the least specific: "when did Norway join
# NATO" asks for a date, "is Norway still in Mali" whether it still serves there.
# "Which parties took part?" asks for the parties (but "who were they?" for a person first); "who signed it?" for a
# person, "has Norway signed it?" whether it did; "will Norway run again?" for what is to come, which no source
# tells, and "will it still be so?" whether a fact lasts, first.
KINDS = (
    "arms_trade", "equipment", "bases", "budget", "achievement", "number", "result", "date", "person", "parties", "allies",
    "signed", "current", "future", "membership",
)

# Each kind's words, in every language of the registry (``reading`` in bot/languages.yml).
_ASKS = {kind: re.compile(rf"\b(?:{either('asks', kind)})\b") for kind in KINDS}

_YEAR = r"\b(?:19|20)\d\d\b"
_MONTHS = either("months")
_GIVES = {
    "date": re.compile(rf"{_YEAR}|\b(?:{_MONTHS})\b"),
    # A figure that is not a year ("45", "130 votes"), or one written out ("five aims").
    "number": re.compile(rf"\b(?!(?:19|20)\d\d\b)\d+\b|\b(?:{either('number_words')})\b"),
    "budget": re.compile(rf"\b(?:{either('gives', 'budget')})\b|[$€]"),
    **{
        # A person's office; an election won or an agreement; what Norway achieved (no text tells it);
        # what became of a 2019 fact, told only by an update ("Since then, ...", a term that ended); allies by name.
        kind: re.compile(rf"\b(?:{either('gives', kind)})\b")
        for kind in (
            "person", "result", "achievement", "current", "membership", "equipment", "bases", "arms_trade", "parties",
            "allies", "signed", "future",
        )
    },
}


# What a question tells of someone as not yet so ("sides that haven't negotiated yet"): its "yet" describes them,
# it does not ask whether a fact still holds. The registry may lack the words (a new language): then nothing is.
_NOT_YET = re.compile(rf"\b(?:{either('not_yet') or '(?!)'})\b")


def _asking(question: str) -> str:
    """``question`` folded, without what it describes as not yet so."""
    return _NOT_YET.sub(" ", fold(question))


def asked(question: str) -> list[str]:
    """The kinds of fact ``question`` asks for, most specific first."""
    text = _asking(question)
    return [kind for kind in KINDS if _ASKS[kind].search(text)]


# "In 2019, ..." dates the snapshot a text describes, not the event asked about.
_SNAPSHOT = re.compile(rf"(?:^|(?<=[.:;] ))(?:{either('snapshot')})")
# A day of a date ("30 June", "30 de junio", "30. juni") or a resolution's number ("resolution 2690") is no count.
_NOT_COUNTS = re.compile(rf"\b\d{{1,2}}\.? (?:de )?(?:{_MONTHS})\b|\b(?:{either('not_counts')})\b")


# Words asking whether a fact still holds ("still", "anymore"), not only for the present ("today").
_LASTING = re.compile(rf"\b(?:{either('lasting')})\b")


def only_present(question: str, texts: Iterable[str]) -> bool:
    """Whether ``question`` asks, before any other kind, only for the present ("what are the threats today?"), and
    ``texts`` tell what was so at a date they name ("In 2019, ...").

    Such texts answer it as of their date and say so; "are they still ...?" asks
    whether a fact has lasted, which only an update can tell.
    """
    text = _asking(question)
    dated = any(_SNAPSHOT.search(fold(t)) for t in texts)
    return asked(question)[:1] == ["current"] and not _LASTING.search(text) and dated


def gives(kind: str, texts: Iterable[str]) -> bool:
    """Whether any of ``texts`` states a fact of ``kind``."""
    return any(_GIVES[kind].search(_read(kind, text)) for text in texts)


def other_year(question: str, texts: Iterable[str]) -> Optional[str]:
    """The first year ``question`` names that none of ``texts`` (nor their sources' dates) names, if any.

    "How many soldiers were there in 2022?" is not answered by a 2019 figure.
    """
    told = {year for text in texts for year in re.findall(_YEAR, fold(text))}
    return next((year for year in re.findall(_YEAR, fold(question)) if year not in told), None)


# A term's period ("for the period 2021-2022") dates the term, not the event asked about.
_PERIOD = re.compile(r"\b(?:19|20)\d\d-(?:19|20)\d\d\b")


def _read(kind: str, text: str) -> str:
    """``text`` folded, without what would pass for a fact of ``kind`` without being one."""
    text = _SNAPSHOT.sub("", fold(text))
    if kind == "date":
        return _PERIOD.sub("", text)
    return _NOT_COUNTS.sub("", text) if kind == "number" else text


def lacking(question: str, texts: Iterable[str], exclude: Iterable[str] = ()) -> Optional[str]:
    """The first kind of fact ``question`` asks for, but not of the kinds ``exclude``, that none of ``texts`` gives."""
    # The most specific kind decides: "how much does Norway spend" wants a budget, not any figure.
    wanted = [kind for kind in asked(question) if kind not in set(exclude)]
    if not wanted:
        return None
    if not gives(wanted[0], texts):
        return wanted[0]
    # "How many soldiers are there today?" is answered by a figure, but not of today: only an update is.
    if "current" in wanted[1:] and not gives("current", texts):
        return "current"
    return None


# Claims a question takes as given ("why did Norway leave NATO?"), and the words of a text that contradict each.
_PREMISES = {
    kind: re.compile(rf"\b(?:{either('premises', kind)})\b")
    for kind in ("left", "lost", "nuclear", "obstructed", "permanent", "party", "uninvolved")
}
_CONTRADICTS = {kind: re.compile(rf"\b(?:{either('contradicts', kind)})\b") for kind in _PREMISES}
_NEGATED = re.compile(rf"\b(?:{either('negations')})\b")
# A yes/no question starts with its verb, after "and" or a subject ("¿noruega tiene ...?"): it asks whether.
# Not after any follow-up opening: "por qué se salió Noruega ..." opens with a question word, then a reflexive.
_YES_NO = re.compile(rf"^\W*(?:(?:{either('joiners')})\s+)?(?:(?:{either('subjects')})\s+)?(?:{either('yes_no')})\b")


def false_premise(question: str, texts: Iterable[str]) -> Optional[str]:
    """The claim ``question`` takes as given that ``texts`` contradict, if any.

    "Why did Norway pull out of NATO?" takes as given that it left, while the
    NATO text tells its membership; "did Norway leave MINUSMA?" is no false
    premise, since no text about the mission tells a membership, and "does
    Norway have its own nuclear weapons?" asks whether, taking nothing as given.
    """
    text, read = fold(question), [fold(t) for t in texts]
    # "Har Norge egne atomvåpen?" asks whether it has them: only a sentence that is no yes/no question takes its claim.
    taking = [s for s, end in _with_ends(text) if _STATED.match(end) or not _YES_NO.search(s)]
    for kind, claim in _PREMISES.items():
        if any(_takes(claim, s) for s in taking) and any(_CONTRADICTS[kind].search(t) for t in read):
            return kind
    if _NEGATED.search(text):
        return None
    return "figure" if _other_figure(taking, texts) else None


# A sentence closed by a full stop or "!" states what it says, though it starts as a yes/no question may, with its
# subject and verb: "Norge tapte jo mot Canada. Hvorfor gikk det så dårlig?"
_STATED = re.compile(r"[.!]")


def _with_ends(text: str) -> list[tuple[str, str]]:
    """Each sentence of ``text`` with the marks that close it ("" for the last, when none does)."""
    parts = re.split(f"({_SENTENCES.pattern})", text)
    return [(parts[i], parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2)]


def _takes(claim: re.Pattern[str], sentence: str) -> bool:
    """Whether a folded sentence states ``claim`` unnegated: a negation before it negates it ("why doesn't Norway
    have its own nuclear weapons?"); one after it is another clause's ("since Norway has its own nuclear
    arsenal, isn't it hypocritical ...?")."""
    found = claim.search(sentence)
    return found is not None and not _NEGATED.search(sentence[: found.start()])


# A figure of people or votes a question takes as given: "5000 soldiers", "5.000 soldados", "150 stemmer"; with the
# word before it and the word between ("in 2019 Norwegian soldiers"), if any.
_COUNT = re.compile(
    rf"(?:\b(\w+)\s+)?(?<![\w.,-])(\d{{1,3}}(?:[.,\s]\d{{3}})+|\d{{2,}})(?![\w-])\s+(\w+\s+)??(?:{either('counted')})\b"
)
# Words that put a year after them: "in 2019", "en 2019", "i 2019".
_BEFORE_YEAR = re.compile(rf"(?:{either('before_year')})")


def _other_figure(sentences: Iterable[str], texts: Iterable[str]) -> bool:
    """Whether a sentence that does not ask for a number takes as given a count of people or votes that the texts,
    which give counts, do not give ("why did Norway send 5000 soldiers to Mali?" while they give about 45).

    A year's figure counts only right before what it counts and after no word that puts a year after it: "2000
    police officers", not "in 2019 Norwegian soldiers" nor "en 2019 policías".
    """
    given = {n for t in texts for n in re.findall(r"\d+", _read("number", t))}
    taken = [
        re.sub(r"\D", "", figure)
        for s in sentences if "number" not in asked(s) for before, figure, between in _COUNT.findall(s)
        if not (re.fullmatch(_YEAR, figure) and (between or _BEFORE_YEAR.fullmatch(before)))
    ]
    return bool(given) and any(figure not in given for figure in taken)


# An article before a name that names none in particular: "did the talks end in a peace agreement?"
_INDEFINITE = re.compile(rf"\b(?:{either('indefinite')})\s*$")


def indefinite(before: str) -> bool:
    """Whether the words ``before`` a name end in an indefinite article ("a", "una", "en"): it names no record."""
    return bool(_INDEFINITE.search(fold(before)))


# Names of organisations, peace processes and UN missions the store has no record of ("the African Union", "the Oslo
# Accords", "UNIFIL").
_UNKNOWN_NAMES = {
    kind: re.compile(rf"\b(?:{either('unknown_names', kind)})\b") for kind in ("organisation", "process", "mission")
}


def unknown_names(question: str) -> list[str]:
    """The kinds of record ``question`` names one of that the store lacks: "organisation", "process", "mission"."""
    text = fold(question)
    return [kind for kind, names in _UNKNOWN_NAMES.items() if names.search(text)]


# What a question sets apart from what it asks about ("apart from the UN's", "o solo en las de la ONU"): the few
# words after such a phrase, up to a comma or a question's end ("besides the UN, does NATO ...?" sets NATO apart
# from nothing). The registry may lack the words (a new language): then nothing is set apart.
_CONTRAST = re.compile(rf"\b(?:{either('contrast') or '(?!)'})\b((?:[^\w,;:?!.¿¡]+\w+){{1,5}})")


def set_apart(question: str) -> list[str]:
    """The words ``question`` sets apart from what it asks about, one string for each such phrase."""
    return [words for words in _CONTRAST.findall(fold(question))]


# A question about figures ("are these figures current?", "¿son recientes las cifras?").
_FIGURES = re.compile(rf"\b(?:{either('figures')})\b")


def about_figures(question: str) -> bool:
    """Whether ``question`` speaks of figures."""
    return bool(_FIGURES.search(fold(question)))


# Words that point back at what was just discussed: "is it still running?", "¿y quién la dirige?", "who else?"
_BACK = re.compile(rf"^\W*(?:{either('starts')})\b|\b(?:{either('back')}|{either('others')})\b")
# Words asking for the records beside the one just discussed: "who else?", "any other group?", "hvem andre?"
_OTHERS = re.compile(rf"\b(?:{either('others')})\b")
# A follow-up is short: a longer question says what it is about, unless it points back more than once ("and
# who was it Norway had down there?"), which a question about something new seldom does in so few words.
# Each word pointing back beyond the first, up to two, lets it run this many words longer: "y quién más salió
# elegido ese día?" points back twice, "and the other guerrilla group, what's norway's role there" three times.
_FOLLOW_UP_WORDS = 6
_WORDS_PER_POINTER = 3
_MORE_POINTERS = 2
# Where a sentence ends, or a dash sets off what was said first ("answer in English - and Canada?").
_SENTENCES = re.compile(r"[.!?;:¿¡]+|\s[-\u2013\u2014]+\s")


def follow_up(question: str, strict: bool = False, echoes: Collection[str] = frozenset()) -> bool:
    """Whether ``question`` reads as a follow-up: short, and pointing back or asking for a kind of fact.

    ``strict`` wants both ("is it still running?"), as when the classifier is sure
    the message is small talk: "what's the weather today?" asks for a kind of
    fact ("today") but points back at nothing. A sentence of its own after a
    request ("in English please - and what about Canada?") is read alone.
    ``echoes`` are folded words naming the record discussed or asked of: each lets the question run longer as a
    word pointing back does ("when was that Nordic network set up?" after the women mediators).
    """
    return any(_follows_up(sentence, strict, echoes) for sentence in _SENTENCES.split(fold(question)))


# A question word that alone, or with one more word, asks the last answer for its reason or place: "why though?",
# "¿y por qué?", "¿dónde estaban?" (Spanish drops the pronoun that would point back); "where is oslo?" says more.
_REASONS = re.compile(rf"^\W*(?:{either('reasons')})\b")
_REASON_WORDS = 2


# Words a message opens with that ask nothing: "ok, og hva var neste steg?" carries on from its "og".
_FILLERS = re.compile(rf"^\W*(?:(?:{either('fillers')})\b\W*)+")


def _follows_up(text: str, strict: bool, echoes: Collection[str] = frozenset()) -> bool:
    text = _FILLERS.sub("", text)
    words = re.findall(r"\w+", text)
    pointers = len(_BACK.findall(text))
    opened = _opened(text)
    why = len(re.findall(r"\w+", opened)) <= _REASON_WORDS and bool(_REASONS.search(opened))
    points_back, asks_a_kind = pointers > 0 or why, bool(asked(text))
    # A name of the record discussed only lengthens what points back or asks a kind of fact: alone it is a question.
    pointers += sum(w in echoes for w in words)
    longest = _FOLLOW_UP_WORDS + _WORDS_PER_POINTER * min(max(pointers - 1, 0), _MORE_POINTERS)
    if not 0 < len(words) <= longest:
        return False
    return points_back and asks_a_kind if strict else points_back or asks_a_kind


# A fragment too short to name its own subject: "con cuántos votos", "and the year?"
_FRAGMENT_WORDS = 3


# Words pointing back wherever they stand: not a leading "and", which also opens a question on something new.
_POINTING = re.compile(rf"\b(?:{either('back')}|{either('others')})\b")


_IDENTITY = re.compile(rf"\b(?:{either('identity')})\s+$")


def asks_identity(question: str, names: Iterable[str]) -> bool:
    """Whether ``question`` asks who a named group is ("who are the ELN?", "hvem er NDFP?"): what it is, not a
    person in office."""
    text = fold(question)
    found = (m for name in names for m in re.finditer(rf"\b{re.escape(fold(name))}\b", text))
    return any(_IDENTITY.search(text[: m.start()]) for m in found)


def points_back(question: str) -> bool:
    """Whether a word of ``question`` points back at what was just discussed, wherever it stands ("say that in
    English"): not a leading "and", which also opens a question on something new."""
    return any(_POINTING.search(s) for s in _SENTENCES.split(fold(question)))


def builds_on(question: str, leading: bool = True) -> bool:
    """Whether ``question`` can hardly be about anything but what was just discussed: it points back, or is a fragment.

    "How many Norwegians serve abroad?" asks for a number too, yet says what it is about. Without ``leading``, a
    first "and" or "with" is no pointer: "and what are the main challenges?" asks a topic of its own.
    """
    back = _BACK if leading else _POINTING
    sentences = [s for s in _SENTENCES.split(fold(question)) if re.search(r"\w", s)]
    return any(back.search(s) or len(re.findall(r"\w+", _opened(s))) <= _FRAGMENT_WORDS for s in sentences)


# Words that carry a question but name no subject: question words, verbs a question starts with, pointers,
# openings, joiners and the subjects every question has ("what", "does", "norway").
_NO_SUBJECT = re.compile(
    "|".join(rf"(?:{either(what)})" for what in ("question_words", "yes_no", "back", "starts", "joiners", "subjects"))
)


def says_no_subject(word: str) -> bool:
    """Whether a folded ``word`` is one that names no subject of its own ("what", "norway")."""
    return bool(_NO_SUBJECT.fullmatch(word))


def fragment(question: str) -> bool:
    """Whether every sentence of ``question`` is too short to name a subject of its own once its opening words
    are set aside ("¿eran soldados?", "and the police?")."""
    sentences = [s for s in _SENTENCES.split(fold(question)) if re.search(r"\w", s)]
    return bool(sentences) and all(len(re.findall(r"\w+", _opened(s))) <= _FRAGMENT_WORDS for s in sentences)


# A sentence's opening words that carry on the last question: "and", "what about", "y qué hay de".
_OPENING = re.compile(rf"^\W*(?:(?:{either('starts')})\b\W*)+")


def _opened(sentence: str) -> str:
    """``sentence`` without its opening words: "and what about canada" is the fragment "canada"."""
    return _OPENING.sub("", sentence)


# Words by which a message speaks of the assistant or the visitor, as small talk does ("who is behind this bot?").
_ADDRESSEE = re.compile(rf"\b(?:{either('addressee')})\b")


def about_the_record(question: str) -> bool:
    """Whether ``question`` surely follows up, whatever a sure classifier made of it: it points back, asks a kind
    of fact or for others, and speaks neither of the assistant nor of the visitor ("¿y sigue funcionando?", not
    "¿quién me está respondiendo?")."""
    text = fold(question)
    return (
        follow_up(question)
        and any(_BACK.search(s) and (asked(s) or _OTHERS.search(s) or _MEANING.search(s)) for s in _SENTENCES.split(text))
        and not _ADDRESSEE.search(text)
    )


# Words by which a question on how current the answers are speaks of them: "is this information current?".
_INFORMATION = re.compile(rf"\b(?:{either('information')})\b")


def of_a_record(question: str, subject: Collection[str] = ()) -> bool:
    """Whether a question on time asks it of a record rather than of the answers: it speaks neither of the
    information nor of the assistant ("¿de cuándo es su información?"), and asks for a date ("¿hasta cuándo
    estuvo dentro?"), or whether something still holds of a subject it names (``subject``: folded words that
    name the record discussed, compared by their start; "pågår de samtalene fortsatt?", not "is that
    current?", which asks of the answer).
    """
    text = fold(question)
    kinds = asked(question)
    if not kinds or _INFORMATION.search(text) or _ADDRESSEE.search(text):
        return False
    return any(kind != "current" for kind in kinds) or bool(_stems(re.findall(r"\w+", text)) & _stems(subject))


# Enough of a word's start to match its inflections ("samtalene", "samtaler"), and the shortest word that counts.
_STEM, _SHORTEST_STEMMED = 6, 4


def _stems(words: Iterable[str]) -> set[str]:
    return {word[:_STEM] for word in words if len(word) >= _SHORTEST_STEMMED}


# Asking what a name of the last answer means: "what does the acronym stand for?", "hva står forkortelsen for?"
_MEANING = re.compile(rf"\b(?:{either('meaning')})\b")


# Words asking for the same in other places: "where else were they?", "does Norway do that anywhere else?"
_ELSEWHERE = re.compile(rf"\b(?:{either('elsewhere')})\b")


def asks_elsewhere(question: str) -> bool:
    """Whether ``question`` asks for the places beside the one just discussed ("where else?", "¿en qué otros países?")."""
    return bool(_ELSEWHERE.search(fold(question)))


# A place a question asks of: "anything similar in Asia?", "¿algo parecido en África?", "noe tilsvarende i Asia?"
_PLACE_IN = re.compile(rf"\b(?:{either('places_in')})\s+(\w+)")


def places_asked(question: str) -> list[str]:
    """The folded words that follow a preposition of place in ``question``: the places it may ask of."""
    return _PLACE_IN.findall(fold(question))


def asks_others(question: str) -> bool:
    """Whether ``question`` asks for the records beside the one just discussed ("who else?")."""
    return bool(_OTHERS.search(fold(question)))


# What only a request to insult, to reveal the assistant's instructions or to play a role says.
IMPROPER_KINDS = ("insult", "instructions", "role")
_IMPROPER_WORDS = {kind: re.compile(rf"(?:^|\b)(?:{either('improper', kind)})\b") for kind in IMPROPER_KINDS}
# How long a request holds ("from now on"): a role's ("from now on you are Olaf"), unless it asks for a language.
_ONWARDS = re.compile(rf"\b(?:{either('onwards')})\b")
# A sentence that asks: it starts with a question word or a verb, after "and" or a subject.
_ASKING = re.compile(
    rf"^\W*(?:(?:{either('starts')})\s+)?(?:(?:{either('subjects')})\s+)?(?:{either('question_words')}|{either('yes_no')})\b"
)


def improper(message: str, kinds: Iterable[str] = IMPROPER_KINDS) -> bool:
    """Whether ``message`` says what only a request of ``kinds`` says: to insult, to reveal instructions, to play a role."""
    sentences = [sentence.strip() for sentence in _SENTENCES.split(fold(message))]
    return any(_says(kind, sentence) for kind in kinds for sentence in sentences)


def _says(kind: str, sentence: str) -> bool:
    """Whether a folded sentence says what only a request of ``kind`` says; "could you answer in English from
    now on?" asks for a language, for as long as the visitor likes, and plays no role."""
    onwards = kind == "role" and _ONWARDS.search(sentence) and not requested_in(sentence)
    return bool(_IMPROPER_WORDS[kind].search(sentence) or onwards)


def is_question(message: str) -> bool:
    """Whether ``message`` asks something: a question mark, or a sentence that starts as a question does."""
    return bool(re.search(r"[?¿]", message)) or any(_ASKING.search(s) for s in _SENTENCES.split(fold(message)))


# Inflections a word may carry beyond a name, longest first: "politiet" is "politi" with Norwegian's definite ending.
_ENDINGS = sorted({e for entry in registry() for e in entry.reading.get("endings", ())}, key=len, reverse=True)
# A stem shorter than this is no name: "ne" off "one" is no word.
_STEM_LETTERS = 4


def forms(word: str) -> list[str]:
    """``word`` folded, then without each ending it may carry, as a name may be written inflected."""
    word = fold(word)
    return [word] + [word[: -len(e)] for e in _ENDINGS if word.endswith(e) and len(word) - len(e) >= _STEM_LETTERS]
