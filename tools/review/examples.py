"""The reviewed examples: ``data/nlu/<lang>/reviewed.yml``, and the entity corrections staff type.

One file per language, a valid Rasa NLU file that ``make train`` takes in with
the rest of ``data/``. It is rewritten whole on each choice, intents in the
order they were first chosen and examples in the order they were labelled, so
that a change reads as a few added lines in git.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

import yaml

from bot.domain.languages import LANGUAGES
from bot.paths import ROOT
from tools.report.analysis import example_key

FILE_NAME = "reviewed.yml"
HEADER = (
    "# Questions visitors asked, labelled by staff with `make review` (docs/staff.md).\n"
    "# `make train` takes them in with the rest of data/. Edit or delete lines as in any NLU file.\n"
)
# Rasa's entity markup in an example: [words](entity) or [words]{"entity": ..., "role": ...}.
_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
# Entities the NLU sets by itself, never annotated in examples.
UNANNOTATED = frozenset({"language", "rating"})


@dataclass(frozen=True)
class Entity:
    """An entity in an example: its type, an optional role, and where its words are."""

    kind: str
    start: int
    end: int
    role: Optional[str] = None

    def markup(self, words: str) -> str:
        if self.role:
            return f'[{words}]{{"entity": "{self.kind}", "role": "{self.role}"}}'
        return f"[{words}]({self.kind})"


def shown(path: Path) -> str:
    """``path`` as staff know it: ``data/nlu/en/reviewed.yml`` when under the project."""
    return str(path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path)


def path_for(data: Path, lang: str) -> Path:
    return data / lang / FILE_NAME


def plain(example: str) -> str:
    """An example's text without its entity markup."""
    return _MARKUP.sub(lambda m: m.group(1), example)


def clean(text: str) -> str:
    """A visitor's message made fit for an example line: one line, no brackets Rasa would read as markup."""
    printable = "".join(c if c.isprintable() else " " for c in text.replace("[", " ").replace("]", " "))
    return " ".join(printable.split())


def annotate(text: str, entities: Sequence[Entity]) -> str:
    """``text`` with Rasa's markup around each entity's words; ``text`` is already clean."""
    parts, at = [], 0
    for entity in sorted(entities, key=lambda e: e.start):
        if entity.start < at:
            continue  # overlapping spans: the first one wins, as Rasa's importer would refuse both
        parts += [text[at:entity.start], entity.markup(text[entity.start:entity.end])]
        at = entity.end
    return "".join(parts) + text[at:]


def read(path: Path) -> dict[str, list[str]]:
    """Examples by intent, in the file's order; nothing when the file does not exist yet."""
    if not path.exists():
        return {}
    by_intent: dict[str, list[str]] = {}
    for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
        if "intent" in item:
            lines = [line.strip()[2:] for line in str(item.get("examples", "")).splitlines()]
            by_intent.setdefault(str(item["intent"]), []).extend(line for line in lines if line)
    return by_intent


def render(by_intent: Mapping[str, Sequence[str]]) -> str:
    blocks = "".join(
        f"- intent: {intent}\n  examples: |\n" + "".join(f"    - {example}\n" for example in examples)
        for intent, examples in by_intent.items() if examples
    )
    return HEADER + 'version: "3.1"\n' + (f"nlu:\n{blocks}" if blocks else "nlu: []\n")


def create_empty(data: Path) -> list[Path]:
    """A valid, empty reviewed file for each language that has none yet."""
    created = []
    for lang in LANGUAGES:
        path = path_for(data, lang)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render({}), encoding="utf-8")
            created.append(path)
    return created


def append(data: Path, lang: str, intent: str, example: str) -> Path:
    path = path_for(data, lang)
    by_intent = read(path)
    by_intent.setdefault(intent, []).append(example)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(by_intent), encoding="utf-8")
    return path


def reviewed(data: Path) -> dict[tuple[str, str], str]:
    """(language, example_key) of every reviewed example, with the intent chosen for it."""
    return {
        (lang, example_key(plain(example))): intent
        for lang in LANGUAGES
        for intent, examples in read(path_for(data, lang)).items()
        for example in examples
    }


def known_examples(folders: Iterable[Path]) -> dict[str, tuple[str, str]]:
    """example_key -> (intent, file) of every example in these folders' NLU files."""
    known: dict[str, tuple[str, str]] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.yml")):
            for intent, examples in read(path).items():
                for example in examples:
                    known.setdefault(example_key(plain(example)), (intent, shown(path)))
    return known


class CorrectionError(ValueError):
    """An entity correction staff typed that cannot be applied; the message says why."""


def parse_correction(line: str, text: str, kinds: Mapping[str, frozenset[str]]) -> list[Entity]:
    """``place=Francia personnel="police officers" place:sender=Sweden`` read against ``text``.

    Each ``kind=words`` marks the first place the words occur in the text (any
    case); ``kind:role=words`` gives a role. ``-`` alone means no entities.
    ``kinds`` maps each entity type the domain declares to its roles.
    """
    if line.strip() == "-":
        return []
    try:
        pairs = shlex.split(line)
    except ValueError as error:
        raise CorrectionError(f"cannot read {line!r}: {error}") from error
    entities = [_entity(pair, text, kinds) for pair in pairs]
    spans = sorted((e.start, e.end) for e in entities)
    if any(b[0] < a[1] for a, b in zip(spans, spans[1:])):
        raise CorrectionError("two entities share words")
    return entities


def _entity(pair: str, text: str, kinds: Mapping[str, frozenset[str]]) -> Entity:
    name, equals, words = pair.partition("=")
    kind, _, role = name.partition(":")
    if not equals or not words.strip():
        raise CorrectionError(f"{pair!r} is not kind=words")
    if kind not in kinds:
        raise CorrectionError(f"{kind!r} is not an entity; one of: {', '.join(sorted(kinds))}")
    if role and role not in kinds[kind]:
        raise CorrectionError(f"{kind!r} has no role {role!r}")
    start = text.casefold().find(words.strip().casefold())
    if start < 0:
        raise CorrectionError(f"{words.strip()!r} is not in the question")
    return Entity(kind, start, start + len(words.strip()), role or None)


def declared_entities(domain: Mapping) -> dict[str, frozenset[str]]:
    """The domain's entity types staff may annotate, each with its roles."""
    kinds: dict[str, frozenset[str]] = {}
    for entry in domain.get("entities") or []:
        if isinstance(entry, dict):
            for kind, spec in entry.items():
                kinds[str(kind)] = frozenset((spec or {}).get("roles") or ())
        else:
            kinds[str(entry)] = frozenset()
    return {k: v for k, v in kinds.items() if k not in UNANNOTATED}


def from_parse(entities: Iterable[Mapping], text: str) -> list[Entity]:
    """The entities the model found in ``text`` that can be written as markup (they have a span)."""
    found = []
    for e in entities:
        start, end = e.get("start"), e.get("end")
        if e.get("entity") in UNANNOTATED or not isinstance(start, int) or not isinstance(end, int):
            continue
        if 0 <= start < end <= len(text):
            found.append(Entity(str(e["entity"]), start, end, e.get("role")))
    return found
