"""The fact store: YAML files under ``bot/facts`` read into typed, validated records.

Every fact the assistant states comes from here. Loading validates the whole
store; any problem raises :class:`FactStoreError` naming the file and record,
so a broken store stops the assistant instead of letting it answer from it.

Texts keep their line breaks (a list's items stay on lines of their own);
spaces within a line are collapsed. An ``update`` record tells what happened
to another record after its source's date, with a source of its own: it is
given beside every answer about that record or naming it.

Time is part of a text. A ``time_bound`` record tells what was so at its
source's date and says so ("In 2019, ..."); a record that lasts (an aim, a
principle) may stay in the present. No text may say "now" or "currently":
it cannot know when it is read. Loading refuses a time-bound text without its
date, and a count marked ``approximate`` given anywhere without "about".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Optional

import re

import yaml

from bot.domain.languages import LANGUAGES, Lang, registry
from bot.domain.text import fold
from bot.paths import FACTS_DIR


KINDS = ("source", "topic", "organisation", "place", "mission", "personnel", "process", "update")
ENTITY_KINDS = ("mission", "place", "organisation", "personnel")
# Kinds whose records are found by name: the NLU's entities, and the peace processes ("the secret talks").
NAMED_KINDS = (*ENTITY_KINDS, "process")

# Fields every record with a text may carry: whether it is told as of its source's
# date, and the records it speaks of whose updates must follow it.
_TEXT_FIELDS = {"time_bound", "mentions"}
_FIELDS = {
    "source": {"id", "name", "url", "as_of", "date"},
    "topic": {"id", "name", "text", "intent", "action", "by_place", "aliases", "see", "source", *_TEXT_FIELDS},
    "organisation": {"id", "name", "text", "aliases", "see", "source", *_TEXT_FIELDS},
    "place": {"id", "name", "aliases", "holds", "text", "see", "source", *_TEXT_FIELDS},
    "mission": {"id", "name", "text", "aliases", "place", "personnel", "source", *_TEXT_FIELDS},
    "personnel": {"id", "name", "text", "aliases", "count", "approximate", "source", *_TEXT_FIELDS},
    "process": {"id", "name", "text", "aliases", "place", "source", *_TEXT_FIELDS},
    "update": {"id", "name", "text", "about", "source"},
}
# A source's date: a year, or a day written in full in `date`.
_AS_OF = re.compile(r"\d{4}(-\d{2}-\d{2})?")
# Each language's way (bot/languages.yml) to give its source's year at the start of a
# sentence ("In 2019, ..."), the words that make a text read as true on the day it is
# read (on folded text), and how an approximate count reads ("about 45", "om lag 45").
_DATED = {entry.code: entry.dated for entry in registry()}
_CURRENT = {
    entry.code: re.compile(rf"\b(?:{'|'.join(map(re.escape, entry.current))})\b") for entry in registry()
}
_ABOUT = {entry.code: entry.about for entry in registry()}


class FactStoreError(ValueError):
    """The fact store is broken; the message names the file and the record."""

    def __init__(self, path: Path | str, record: Optional[str], problem: str) -> None:
        where = f"{Path(path).name}" + (f", record '{record}'" if record else "")
        super().__init__(f"{where}: {problem}")
        self.path = str(path)
        self.record = record
        self.problem = problem


class Localized(Mapping[Lang, str]):
    """One text in every language of the registry, keyed by language code; read-only."""

    def __init__(self, texts: Mapping[Lang, str]) -> None:
        self._texts = dict(texts)

    def __getitem__(self, lang: Lang) -> str:
        return self._texts[lang]

    def __iter__(self) -> Iterator[Lang]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._texts.items())))

    def __repr__(self) -> str:
        return f"Localized({self._texts!r})"


@dataclass(frozen=True)
class Source:
    """Where facts come from. ``name`` is the citation's text, ``date`` its date as read."""

    id: str
    name: Localized
    url: str
    as_of: str
    date: Localized


@dataclass(frozen=True)
class Fact:
    """One record of the store. Optional fields depend on the record's kind."""

    id: str
    kind: str
    name: Localized
    source: Optional[Source] = None
    text: Optional[Localized] = None
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    see: tuple[str, ...] = ()
    # A topic: the intent that asks for it, the action that answers it, and the kind of
    # record a named place narrows it to ("peace in Colombia": Colombia's peace processes).
    intent: Optional[str] = None
    action: Optional[str] = None
    by_place: Optional[str] = None
    place: Optional[str] = None
    personnel: tuple[str, ...] = ()
    count: Optional[int] = None
    # The count is the source's approximate figure ("about 45"), not an exact one.
    approximate: bool = False
    about: Optional[str] = None
    # Told as of the source's date ("In 2019, ..."), not as lasting policy.
    time_bound: bool = False
    # Records the text speaks of, whose updates follow it ("seeking a seat": the election).
    mentions: tuple[str, ...] = ()
    # A region: the countries it holds, per language, which the store has no record of ("Lebanon": the Middle East).
    holds: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def all_names(self) -> list[str]:
        """Every name and alias, in every language, without repeats."""
        names = [self.name[lang] for lang in LANGUAGES]
        for lang in LANGUAGES:
            names.extend(self.aliases.get(lang, ()))
        return list(dict.fromkeys(names))


_LEADING_ARTICLES = ("the ", "la ", "el ", "las ", "los ")


def match_key(text: str) -> str:
    """The form names are compared in: folded, without punctuation or a leading article."""
    key = fold(text.replace("-", " ").replace(".", ""))
    for article in _LEADING_ARTICLES:
        if key.startswith(article):
            return key[len(article):]
    return key


class FactStore:
    """All records, indexed by id and by every folded name and alias."""

    def __init__(self, facts: Iterable[Fact]) -> None:
        self._by_id: dict[str, Fact] = {}
        self._by_name: dict[tuple[str, str], Fact] = {}
        for fact in facts:
            self._by_id[fact.id] = fact
            if fact.kind in NAMED_KINDS:
                for name in fact.all_names():
                    self._by_name[(fact.kind, match_key(name))] = fact

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, fact_id: str) -> Fact:
        return self._by_id[fact_id]

    def find(self, fact_id: str) -> Optional[Fact]:
        return self._by_id.get(fact_id)

    def of_kind(self, kind: str) -> list[Fact]:
        return [f for f in self._by_id.values() if f.kind == kind]

    def resolve(self, kind: str, value: str) -> Optional[Fact]:
        """The record of ``kind`` whose id, name or alias matches ``value``."""
        by_id = self._by_id.get(value)
        if by_id is not None and by_id.kind == kind:
            return by_id
        return self._by_name.get((kind, match_key(value)))

    def topic_for_intent(self, intent: str) -> Optional[Fact]:
        return next((f for f in self.of_kind("topic") if f.intent == intent), None)

    def records_on(self, fact: Fact) -> list[Fact]:
        """The records whose texts tell a visitor asking about ``fact`` what the store holds."""
        own = [fact] if fact.text is not None else []
        if fact.see:
            return own + [record for ref in fact.see for record in self.records_on(self.get(ref))]
        if own:
            return own
        if fact.kind == "place":
            return [f for f in self._by_id.values() if f.place == fact.id and f.text is not None]
        return []

    def missions_with(self, personnel_id: str) -> list[Fact]:
        return [m for m in self.of_kind("mission") if personnel_id in m.personnel]

    def speaks_of(self, fact: Fact, subject: Fact) -> bool:
        """Whether ``fact``'s text names ``subject`` (the UN missions' overview names the UN)."""
        return _concerns(fact, subject)

    def updates_for(self, facts: Iterable[Fact]) -> list[Fact]:
        """The updates about any of ``facts``, or about a record one of their texts names."""
        facts = list(facts)
        return [
            update
            for update in self.of_kind("update")
            if any(_concerns(fact, self.get(update.about)) for fact in facts)
        ]


def _concerns(fact: Fact, subject: Fact) -> bool:
    """Whether an answer giving ``fact`` speaks of ``subject`` ("about 30 police ... (MINUJUSTH)")."""
    if fact.id == subject.id or subject.id in fact.mentions:
        return True
    if fact.text is None or subject.kind not in ENTITY_KINDS:
        return False
    words = _words(" ".join(fact.text.values()))
    return any(_words(name) in words for name in subject.all_names())


def _words(text: str) -> str:
    """``text`` as folded words between spaces, so that " minusma " is found as a whole word."""
    return " " + " ".join(re.findall(r"\w+", fold(text))) + " "


# --- loading and validation -------------------------------------------------


def _localized(raw: Any, path: Path, record: str, what: str) -> Localized:
    if not isinstance(raw, Mapping):
        raise FactStoreError(path, record, f"'{what}' must map each language to a text")
    missing = [lang for lang in LANGUAGES if not str(raw.get(lang) or "").strip()]
    if missing:
        raise FactStoreError(path, record, f"'{what}' has no {', '.join(missing)} translation")
    extra = set(raw) - set(LANGUAGES)
    if extra:
        raise FactStoreError(path, record, f"'{what}' has unknown languages {sorted(extra)}")
    return Localized({lang: _tidy(str(raw[lang])) for lang in LANGUAGES})


def _tidy(text: str) -> str:
    """``text`` with each line's spaces collapsed and blank lines dropped; line breaks stay."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _aliases(raw: Any, path: Path, record: str, what: str = "aliases") -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or set(raw) - set(LANGUAGES):
        raise FactStoreError(path, record, f"'{what}' must map languages ({', '.join(LANGUAGES)}) to lists of names")
    return {lang: tuple(str(a) for a in raw.get(lang) or ()) for lang in LANGUAGES}


def _read_file(path: Path) -> Mapping[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise FactStoreError(path, None, f"is not valid YAML ({error})") from error
    if not isinstance(document, Mapping) or document.get("kind") not in KINDS:
        raise FactStoreError(path, None, f"must be a mapping with 'kind' one of {KINDS}")
    if not isinstance(document.get("records"), list) or not document["records"]:
        raise FactStoreError(path, None, "must hold a non-empty 'records' list")
    return document


def _parse_record(raw: Any, kind: str, defaults: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """One record, with the file's shared fields (``source:``, ``action:``) where it gives none."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
        raise FactStoreError(path, None, f"every record needs a string 'id' (got {raw!r:.60})")
    raw = {**defaults, **raw}
    record = raw["id"]
    unknown = set(raw) - _FIELDS[kind]
    if unknown:
        raise FactStoreError(path, record, f"unknown fields {sorted(unknown)} for kind '{kind}'")
    parsed: dict[str, Any] = {"id": record, "kind": kind, "name": _localized(raw.get("name"), path, record, "name")}
    if "text" in raw:
        parsed["text"] = _localized(raw["text"], path, record, "text")
    parsed["aliases"] = _aliases(raw.get("aliases"), path, record)
    if "holds" in raw:
        parsed["holds"] = _aliases(raw["holds"], path, record, "holds")
    for key in ("see", "personnel", "mentions"):
        parsed[key] = tuple(raw.get(key) or ())
    for key in ("time_bound", "approximate"):
        if not isinstance(raw.get(key, False), bool):
            raise FactStoreError(path, record, f"'{key}' must be true or false")
        parsed[key] = raw.get(key, False)
    if "date" in raw:
        parsed["date"] = _localized(raw["date"], path, record, "date")
    for key in ("intent", "action", "by_place", "place", "url", "as_of", "about"):
        if key in raw:
            parsed[key] = str(raw[key])
    if "count" in raw and raw["count"] is not None:
        if not isinstance(raw["count"], int) or raw["count"] < 0:
            raise FactStoreError(path, record, "'count' must be a whole number or null")
        parsed["count"] = raw["count"]
    if kind != "source":
        parsed["source"] = raw.get("source")
    return parsed


def _check_record(parsed: Mapping[str, Any], kinds: Mapping[str, str], path: Path) -> None:
    record, kind = parsed["id"], parsed["kind"]
    if kind in ("topic", "mission", "personnel", "process") and "text" not in parsed:
        raise FactStoreError(path, record, "has no 'text'")
    if kind == "organisation" and "text" not in parsed and not parsed["see"]:
        raise FactStoreError(path, record, "needs a 'text' or a 'see' list")
    if kind == "source":
        _check_source(parsed, path)
    if "text" in parsed and parsed.get("source") is None:
        raise FactStoreError(path, record, "has a 'text' but names no 'source'")
    if kind == "update" and not (parsed.get("about") and "text" in parsed):
        raise FactStoreError(path, record, "an update needs the record it is 'about' and a 'text'")
    if parsed["time_bound"] and "text" not in parsed:
        raise FactStoreError(path, record, "is 'time_bound' but has no 'text'")
    if parsed["approximate"] and parsed.get("count") is None:
        raise FactStoreError(path, record, "is 'approximate' but has no 'count'")
    if kind == "topic" and not (parsed.get("intent") and parsed.get("action")):
        raise FactStoreError(path, record, "a topic needs the 'intent' that asks for it and the 'action' that answers it")
    if parsed.get("by_place") not in (None, *KINDS):
        raise FactStoreError(path, record, f"'by_place' must be a kind of record, one of {KINDS}")
    for key, ref, wanted in _references(parsed):
        if ref not in kinds:
            raise FactStoreError(path, record, f"'{key}' points at unknown record '{ref}'")
        if wanted is not None and kinds[ref] != wanted:
            raise FactStoreError(path, record, f"'{key}' must point at a {wanted}, not '{ref}'")


def _check_source(parsed: Mapping[str, Any], path: Path) -> None:
    record = parsed["id"]
    if not (parsed.get("url") and parsed.get("as_of")):
        raise FactStoreError(path, record, "a source needs 'url' and 'as_of'")
    if not _AS_OF.fullmatch(parsed["as_of"]):
        raise FactStoreError(path, record, "'as_of' must be a year (2019) or a day (2023-06-30)")
    if len(parsed["as_of"]) > 4 and "date" not in parsed:
        raise FactStoreError(path, record, "a source dated to the day needs 'date', that day as written in each language")


def _references(parsed: Mapping[str, Any]) -> list[tuple[str, str, Optional[str]]]:
    """(field, referenced id, kind it must have) for every reference of a record."""
    refs: list[tuple[str, str, Optional[str]]] = []
    if parsed.get("about") is not None:
        refs.append(("about", parsed["about"], None))
    for key in ("place", "source"):
        if parsed.get(key) is not None:
            refs.append((key, parsed[key], key))
    refs += [("personnel", ref, "personnel") for ref in parsed["personnel"]]
    refs += [("see", ref, None) for ref in parsed["see"]]
    refs += [("mentions", ref, None) for ref in parsed["mentions"]]
    return refs


def _check_aliases(facts: list[tuple[dict[str, Any], Path]]) -> None:
    # Entity synonyms are global in the NLU, so a name may belong to one record only.
    owner: dict[str, str] = {}
    for parsed, path in facts:
        if parsed["kind"] not in ENTITY_KINDS:
            continue
        names = [parsed["name"][lang] for lang in LANGUAGES]
        names += [a for lang in LANGUAGES for a in parsed["aliases"].get(lang, ())]
        for name in dict.fromkeys(match_key(n) for n in names):
            if owner.get(name, parsed["id"]) != parsed["id"]:
                raise FactStoreError(path, parsed["id"], f"alias '{name}' is already used by '{owner[name]}'")
            owner[name] = parsed["id"]


def _check_intents(facts: list[tuple[dict[str, Any], Path]]) -> None:
    # Each topic's intent becomes a rule: two topics on one intent would contradict each other.
    topics: dict[str, str] = {}
    for parsed, path in facts:
        intent = parsed.get("intent")
        if intent in topics:
            raise FactStoreError(path, parsed["id"], f"intent '{intent}' already asks for '{topics[intent]}'")
        if intent:
            topics[intent] = parsed["id"]


def load_store(directory: Path = FACTS_DIR) -> FactStore:
    """Read and validate every ``*.yml`` file in ``directory``."""
    files = sorted(Path(directory).glob("*.yml"))
    if not files:
        raise FactStoreError(directory, None, "holds no fact files")
    parsed: list[tuple[dict[str, Any], Path]] = []
    for path in files:
        document = _read_file(path)
        defaults = {key: value for key, value in document.items() if key not in ("kind", "records")}
        for raw in document["records"]:
            parsed.append((_parse_record(raw, document["kind"], defaults, path), path))
    kinds: dict[str, str] = {}
    for record, path in parsed:
        if record["id"] in kinds:
            raise FactStoreError(path, record["id"], "duplicate id")
        kinds[record["id"]] = record["kind"]
    for record, path in parsed:
        _check_record(record, kinds, path)
    _check_aliases(parsed)
    _check_intents(parsed)
    sources = {r["id"]: _build_source(r) for r, _ in parsed if r["kind"] == "source"}
    _check_time(parsed, sources)
    _check_approximate(parsed)
    return FactStore(_build_fact(r, sources) for r, _ in parsed if r["kind"] != "source")


def _check_time(facts: list[tuple[dict[str, Any], Path]], sources: Mapping[str, Source]) -> None:
    """No text reads as current; a time-bound one gives its source's year ("In 2019, ...")."""
    for parsed, path in facts:
        text: Optional[Localized] = parsed.get("text")
        if text is None:
            continue
        year = sources[parsed["source"]].as_of[:4]
        for lang in LANGUAGES:
            dated = _DATED[lang].format(year=year)
            found = _CURRENT[lang].search(fold(text[lang]))
            if found:
                raise FactStoreError(
                    path, parsed["id"], f"its {lang} text says '{found.group()}', which cannot know when it is read: "
                    f"tell it as of its source's date ('{dated}...')"
                )
            if parsed["time_bound"] and not _dated(text[lang], dated):
                raise FactStoreError(path, parsed["id"], f"is 'time_bound' but its {lang} text never says '{dated.strip()}'")


def _dated(text: str, phrase: str) -> bool:
    """Whether a sentence (or a line) of ``text`` starts with ``phrase``."""
    return any(sentence.startswith(phrase) for sentence in re.split(r"(?<=[.:;])\s+|\n", text))


def _check_approximate(facts: list[tuple[dict[str, Any], Path]]) -> None:
    """An approximate count reads "about 45" in every text of its source that gives it, its own included."""
    for counted, _ in facts:
        if not counted["approximate"]:
            continue
        for parsed, path in facts:
            if "text" not in parsed or parsed.get("source") != counted.get("source"):
                continue
            for lang in LANGUAGES:
                text = parsed["text"][lang]
                bare = re.search(rf"(?<!{_ABOUT[lang]} )\b{counted['count']}\b", text)
                if bare or (parsed is counted and f"{_ABOUT[lang]} {counted['count']}" not in text):
                    raise FactStoreError(
                        path, parsed["id"], f"gives the approximate count {counted['count']} of '{counted['id']}' "
                        f"without '{_ABOUT[lang]}' in its {lang} text"
                    )


def _build_source(parsed: Mapping[str, Any]) -> Source:
    date = parsed.get("date") or Localized({lang: parsed["as_of"] for lang in LANGUAGES})
    return Source(id=parsed["id"], name=parsed["name"], url=parsed["url"], as_of=parsed["as_of"], date=date)


def _build_fact(parsed: Mapping[str, Any], sources: Mapping[str, Source]) -> Fact:
    values = {k: v for k, v in parsed.items() if k in Fact.__dataclass_fields__}
    if values.get("source") is not None:
        values["source"] = sources[values["source"]]
    return Fact(**values)


@lru_cache(maxsize=1)
def default_store() -> FactStore:
    """The project's store (FACTS_DIR, or bot/facts), loaded once per process."""
    from bot.runtime.settings import Settings

    return load_store(Path(Settings.from_env().facts_dir or FACTS_DIR))
