"""Which language to answer a visitor in: decided by ``decide``, from typed signals.

The precedence is written once, in ``decide``: the page's or channel's locale,
an explicit request ("en español"), confident detection, the conversation's
language, the registry's first (English). ``normalise`` is the one reader of
language names and locales. The languages and what tells them apart come from
the registry (``bot/languages.yml``); lingua's Danish and Swedish count as
Norwegian, so a look-alike question is answered in Norwegian.

When lingua is unsure (short text), three signals decide in turn: spelling
only one language uses (¿ ¡ ñ; æ ø å), a lone greeting or thanks, and an
in-domain character n-gram classifier (``bot.domain.langid``). Detection still
abstains on text none of them is sure of ("ok", "NATO", an emoji), so the
conversation keeps its language instead of flipping on a proper noun.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Iterable, Mapping, Optional

from bot.domain import langid
# Re-exported: most callers ask this module for the languages too.
from bot.domain.languages import DEFAULT_LANGUAGE, LANGUAGES, Lang, either, registry  # noqa: F401
from bot.domain.text import fold
# The intent of "in English please"; its text names the wanted language.
SWITCH_INTENT = "switch_language"
# Marks the `language` entity of a message that asked for its language, whatever its intent.
REQUESTED_KEY = "requested"

# Below these, lingua's answer on short text is close to a coin toss
# (measured on the held-out sets, see `make eval`).
MIN_CONFIDENCE = 0.80
MIN_CONFIDENCE_ONE_WORD = 0.95
# The share lingua's first language must have by itself before its group's total counts.
MIN_LEADING = 0.5
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
# Words a visitor quotes from the page ("what does 'facilitador de paz' mean?") are
# not the language they write in: an opening quote after a space, a closing one
# before a space or punctuation, so apostrophes ("Norway's") are no quotes.
_QUOTED = re.compile(r"(?:(?<=\s)|^)[\"'‘“«]([^\"'’”»\n]{2,120})[\"'’”»](?=[\s.,:;!?)\-–—]|$)")
# The words left outside quotes must be this many for the quotes to be set aside.
MIN_UNQUOTED_WORDS = 3

# Greetings and thanks that belong to one language only. lingua is unsure of
# them alone ("hola" 0.66 Spanish, and "hello" 0.62 Spanish too), yet they are
# often a visitor's first words; folded (no accents).
CUES: dict[Lang, frozenset[str]] = {entry.code: entry.cues for entry in registry()}

# How visitors name each language when they ask to switch; folded (no accents).
NAMES: dict[Lang, tuple[str, ...]] = {entry.code: entry.names for entry in registry()}

# Marks only one language of the registry writes ("¿", "ñ"; "æ", "ø").
_SPELLING = {entry.code: re.compile(entry.spelling) for entry in registry() if entry.spelling}


@lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    # Preloading keeps the first visitor's message from paying the model load.
    languages = {getattr(Language, name) for entry in registry() for name in entry.lingua}
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


@lru_cache(maxsize=1)
def _counted_as() -> dict[str, Lang]:
    """Each lingua language's name, and the registry language it counts for (Danish for Norwegian)."""
    return {name: entry.code for entry in registry() for name in entry.lingua}


def warm_up() -> None:
    """Load lingua's models and train the in-domain classifier now, not on the first visitor's message."""
    _detector()
    langid.preload()


@lru_cache(maxsize=4096)
def detect(text: str) -> Optional[Lang]:
    """The registry language the text clearly is in, else ``None``."""
    text = _unquoted(text or "")
    words = _WORD.findall(text)
    if not words:
        return None
    values = _detector().compute_language_confidence_values(text)
    # Danish and Swedish count for Norwegian, but junk ("asdfgh", "bye bye") spreads
    # over the four Nordic languages too: one of them must lead clearly on its own.
    if values and values[0].value >= MIN_LEADING:
        best = _counted_as()[values[0].language.name]
        total = sum(value.value for value in values if _counted_as()[value.language.name] == best)
        if total >= (MIN_CONFIDENCE_ONE_WORD if len(words) == 1 else MIN_CONFIDENCE):
            return best
    return _by_spelling(text) or _by_cues(words) or _by_ngrams(text)


def _unquoted(text: str) -> str:
    """The text with quoted words set aside, when enough of the visitor's own words remain."""
    rest = _QUOTED.sub(" ", text)
    return rest if rest != text and len(_WORD.findall(rest)) >= MIN_UNQUOTED_WORDS else text


def _by_spelling(text: str) -> Optional[Lang]:
    found = [lang for lang, marks in _SPELLING.items() if marks.search(text)]
    return found[0] if len(found) == 1 else None


def _by_ngrams(text: str) -> Optional[Lang]:
    return langid.classify(text)  # type: ignore[return-value]


def _by_cues(words: list[str]) -> Optional[Lang]:
    """The one language whose greeting or thanks words the text uses, if only one's."""
    found = _languages_using(words, CUES)
    return found[0] if len(found) == 1 else None


def _languages_using(words: list[str], table: Mapping[Lang, Iterable[str]]) -> list[Lang]:
    """The languages of ``table`` with an entry among ``words``, compared folded."""
    folded = {fold(word) for word in words}
    return [lang for lang, entries in table.items() if folded & set(entries)]


def normalise(value: object) -> Optional[Lang]:
    """The language a name, locale or list of locales stands for, whoever wrote it.

    "es", "ES", "es-CO", "es_ES", "nn-NO" (a page's locale, Telegram's
    ``language_code``), "de-DE,nb;q=0.8" (the first the assistant speaks),
    "Español", "castellano", "norsk" (what visitors and the CRF write).
    ``None`` for anything else: "de-DE", "klingon", a number.
    """
    if not isinstance(value, str):
        return None
    folded = fold(value)
    named = next((lang for lang, names in NAMES.items() if folded in names), None)
    if named:
        return named
    for locale in re.split(r"[,\s]+", folded):
        primary = re.split(r"[-_;]", locale, maxsplit=1)[0]
        found = next((entry.code for entry in registry() if primary in entry.locales), None)
        if found:
            return found
    return None


# A request for a language in a message of any intent: "hi, please reply in Norwegian (bokmål). How many ...?"
_REQUEST = re.compile(
    rf"\b(?:{either('requests')})\s+(?P<name>{'|'.join(sorted({re.escape(n) for ns in NAMES.values() for n in ns}, key=len, reverse=True))})\b"
)


def requested_in(text: str) -> Optional[Lang]:
    """The language a message asks to be answered in, by a request before the language's name ("reply in
    Norwegian", "contéstame en inglés", "svar på engelsk"), whatever else it asks."""
    found = _REQUEST.search(fold(text or ""))
    return normalise(found.group("name")) if found else None


def find_requested(text: str) -> Optional[Lang]:
    """The language named in a request such as "¿puedes hablar en inglés?"."""
    found = _languages_using(_WORD.findall(text or ""), NAMES)
    return found[0] if found else None


# Where channels and the chat page put the visitor's locale in message metadata.
LOCALE_KEYS = ("locale", "language", "language_code")


def from_metadata(metadata: object) -> Optional[Lang]:
    """The supported language of the first locale-like value in message metadata."""
    if not isinstance(metadata, Mapping):
        return None
    return next((lang for key in LOCALE_KEYS if (lang := normalise(metadata.get(key)))), None)


class Reason(str, Enum):
    """Which signal decided the language; the staff line shows the value ("es detected")."""

    LOCALE = "locale"
    REQUESTED = "requested"
    DETECTED = "detected"
    CONVERSATION = "kept"
    DEFAULT = "default"


@dataclass(frozen=True)
class Signals:
    """What may say which language to answer in, each already normalised.

    ``locale`` is the page's or channel's locale where it chooses the language:
    at a conversation's start, and in the page's language switch. On the other
    messages the page's locale only mirrors the conversation (the page follows
    the replies), so the visitor's words decide there.
    """

    locale: Optional[Lang] = None
    requested: Optional[Lang] = None
    detected: Optional[Lang] = None
    conversation: Optional[Lang] = None


@dataclass(frozen=True)
class Decision:
    language: Lang
    reason: Reason

    @property
    def from_words(self) -> bool:
        """Whether this message's words decided, rather than what was known before it."""
        return self.reason in (Reason.REQUESTED, Reason.DETECTED)


def decide(signals: Signals) -> Decision:
    """The visitor's language: the page or channel locale, then an explicit request,
    then confident detection, then the conversation's language, then English."""
    ranked = (
        (signals.locale, Reason.LOCALE),
        (signals.requested, Reason.REQUESTED),
        (signals.detected, Reason.DETECTED),
        (signals.conversation, Reason.CONVERSATION),
    )
    return next((Decision(lang, reason) for lang, reason in ranked if lang), Decision(DEFAULT_LANGUAGE, Reason.DEFAULT))


def read_words(text: str, asks_to_switch: bool, named: Optional[Lang] = None) -> Signals:
    """The signals of a message's words: the language it asks for, and the one it is in.

    A request to switch names the wanted language in the other one ("hablar en
    inglés"), so the name, not the words' own language, is what it asks for.
    ``named`` is a language the entity extractor already found named.
    """
    requested = named or (find_requested(text) if asks_to_switch else None)
    return Signals(requested=requested, detected=detect(text))
