"""``make eval``: understanding on the held-out test sets, per language, with bars.

Runs ``rasa test nlu`` on ``tests/nlu/<lang>``, reads the reports it writes,
measures language detection on the same sentences, then asks the trained
model and the answer logic the held-out questions of ``tests/heldout/<lang>.yml``
(questions for facts the store lacks; another country's troops), and plays the
held-out conversations of ``tests/heldout/visitors`` and ``tests/heldout/time``
turn by turn (the language and focus carried as the slots carry them), scored
per language and per kind. Prints a
table, writes ``results/eval.json`` and the intent confusion matrix and
confidence histogram of each language to ``docs/images/``, and exits non-zero
when a figure is below its bar.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

from rasa_sdk import Tracker

from actions import slots
from actions.deployments import ActionAnswerDeployments
from actions.scope import ActionAnswerFallback, ActionAnswerOutOfScope, ActionAnswerSmallTalk
from actions.topics import ActionAnswerCurrency, ActionAnswerTopic, ActionRefuseRequest, ActionSwitchLanguage
from bot.domain.answers import (
    CURRENCY_FIGURES, FACTS, LACKS, LACKS_PER_MISSION, LACKS_YEAR, NO_TOPIC, ONLY_NORWAY, OUT_OF_SCOPE, UNKNOWN, UNKNOWN_UNNAMED,
    Outcome, Reply,
)
from bot.domain.text import fold
from bot.domain.langid import sentences
from bot.domain.language import DEFAULT_LANGUAGE, LANGUAGES, SWITCH_INTENT, Lang, Signals, decide, normalise, read_words
from bot.nlu.data import routes
from bot.paths import MODEL, RESULTS, ROOT

TEST_SETS = ROOT / "tests" / "nlu"
HELD_OUT = ROOT / "tests" / "heldout"
# Held-out conversations, each in tests/heldout/<set>/<lang>.yml, scored per kind of turn.
CONVERSATION_SETS = ("visitors", "time")
# Development conversations (tests/dev/<set>/<lang>.yml): written the same way, by another hand, to measure
# progress while building; `--dev` scores them and shows each miss, which the held-out sets never do.
DEV = ROOT / "tests" / "dev"
IMAGES = ROOT / "docs" / "images"
BARS = {
    "intent_macro_f1": 0.95,
    "entity_f1": 0.95,
    "language_accuracy": 0.99,
    "honesty": 0.9,
    "roles": 1.0,
}
# At most this share of held-out sentences may leave the language undecided.
MAX_ABSTAINED = 0.05
_NOT_ENTITY_REPORTS = {"intent_report.json", "LanguageDetector_report.json", "response_selection_report.json"}
# What `rasa test nlu` draws, and the name each gets in docs/images.
_PICTURES = {"intent_confusion_matrix.png": "confusion", "intent_histogram.png": "confidence"}


@dataclass(frozen=True)
class Figures:
    language: Lang
    intent_macro_f1: float
    entity_f1: float
    language_accuracy: float
    language_wrong: int
    language_abstained: int
    examples: int
    # Token-level micro F1 of the CRF alone, as `rasa test` counts it, for comparison.
    entity_f1_without_matcher: float = 0.0
    honesty: float = 0.0
    honesty_questions: int = 0
    roles: float = 0.0
    roles_questions: int = 0

    def failures(self) -> list[str]:
        failures = [
            f"{self.language} {name} {getattr(self, name):.3f} < {bar}"
            for name, bar in BARS.items()
            if getattr(self, name) < bar
        ]
        if self.language_abstained > MAX_ABSTAINED * self.examples:
            failures.append(f"{self.language} language abstained on {self.language_abstained} of {self.examples}")
        return failures


def language_detection(lang: Lang, examples: list[tuple[str, str]]) -> tuple[float, int, int]:
    """(accuracy, wrong, abstained), deciding as the NLU pipeline does.

    An abstention keeps the conversation's language, which in a conversation
    held in ``lang`` is right; a confident wrong guess is not. A request to
    switch is right when it names the requested language.
    """
    wrong = abstained = 0
    for intent, text in examples:
        signals = read_words(text, intent == SWITCH_INTENT)
        decision = decide(signals)
        expected = signals.requested or lang
        abstained += not decision.from_words
        wrong += decision.from_words and decision.language != expected
    return 1 - wrong / len(examples), wrong, abstained


def run_rasa_test(lang: Lang, model: Path = MODEL, sets: Path = TEST_SETS, name: str = "nlu") -> Path:
    out = RESULTS / f"{name}-{lang}"
    command = [
        os.path.join(os.path.dirname(sys.executable), "rasa"), "test", "nlu", "--model", str(model),
        "--nlu", str(sets / lang), "--out", str(out), "--quiet",
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return out


def read_figures(lang: Lang, out: Path, answers: Optional[dict[str, Any]] = None) -> Figures:
    intents = json.loads((out / "intent_report.json").read_text())
    entities = _entity_report(out)
    accuracy, wrong, abstained = language_detection(lang, sentences(TEST_SETS / lang))
    figures: dict[str, Any] = {"entity_f1": _entity_f1(entities), **(answers or {})}
    return Figures(
        **figures,
        language=lang,
        intent_macro_f1=intents["macro avg"]["f1-score"],
        language_accuracy=accuracy,
        language_wrong=wrong,
        language_abstained=abstained,
        examples=int(intents["macro avg"]["support"]),
    )


def _entity_report(out: Path) -> dict:
    # Named after whichever extractor the pipeline uses; the language entity's own is not the NLU's.
    reports = [p for p in sorted(out.glob("*_report.json")) if p.name not in _NOT_ENTITY_REPORTS]
    return json.loads(reports[0].read_text()) if reports else {}


def _entity_f1(report: dict) -> float:
    # Micro average over the entity types; "no_entity" is not an entity.
    averaged = report.get("micro avg") or report.get("accuracy")
    if isinstance(averaged, dict):
        return float(averaged["f1-score"])
    return 0.0


# --- the held-out questions, through the trained model and the answer logic ---

Parse = Callable[[str], dict[str, Any]]


# The actions that answer from the store, by name; a canned reply's action is not among them.
_ANSWERING = {
    action.name(): action
    for action in (
        ActionAnswerDeployments(), ActionAnswerTopic(), ActionAnswerOutOfScope(), ActionAnswerCurrency(),
        ActionRefuseRequest(), ActionSwitchLanguage(), ActionAnswerFallback(), ActionAnswerSmallTalk(),
    )
}


def reply_to(parsed: dict[str, Any], lang: Lang, focus: Optional[str] = None) -> Optional[Outcome]:
    """What the action the rules give the parsed message's intent would reply, or ``None`` for a canned reply."""
    intent = (parsed.get("intent") or {}).get("name") or ""
    action = _ANSWERING.get(routes().get(intent, ""))
    if action is None:
        return None
    tracker = Tracker(
        sender_id="evaluate", slots={slots.LANGUAGE: lang, slots.FOCUS: focus}, latest_message=parsed,
        events=[], paused=False, followup_action=None, active_loop={}, latest_action_name=None,
    )
    return action.outcome(tracker)


def is_honest(answer: Optional[Outcome], lacks: str) -> bool:
    """Says first that the source lacks that kind of fact, then gives what it holds."""
    if answer is None or len(answer.replies) < 2:
        return False
    first = answer.replies[0].response
    # A number asked of one mission: the per-mission disclaimer is the number one, more precisely.
    wanted = {LACKS[lacks], LACKS_PER_MISSION} if lacks == "number" else {LACKS[lacks]}
    return first in wanted and answer.replies[1].response != first


def is_norways_only(answer: Optional[Outcome]) -> bool:
    """Says the figures are Norway's only, gives some, and calls no country unknown."""
    if answer is None:
        return False
    responses = [r.response for r in answer.replies]
    unknown = set(UNKNOWN.values()) | set(UNKNOWN_UNNAMED.values())
    return responses[0] == ONLY_NORWAY and FACTS in responses and not unknown & set(responses)


# Whose entities count: the language detector's are not the NLU's, and its own figure is above.
CRF = "CRFEntityExtractor"
MATCHER = "StoreNameMatcher"
_NO_ENTITY = "no_entity"


def entity_f1(examples: list[tuple[str, list[dict[str, Any]]]], parse: Parse, extractors: set[str]) -> float:
    """Token-level micro F1 over entity labels ("place", "place.sender"), as ``rasa test`` counts it."""
    true_positive = predicted = expected = 0
    for text, gold in examples:
        found = [e for e in parse(text).get("entities", []) if e.get("extractor") in extractors]
        for token in re.finditer(r"\w+", text):
            want, got = _label(token.span(), gold), _label(token.span(), found)
            expected += want != _NO_ENTITY
            predicted += got != _NO_ENTITY
            true_positive += want == got != _NO_ENTITY
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / expected if expected else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _label(span: tuple[int, int], entities: list[dict[str, Any]]) -> str:
    for entity in entities:
        if entity.get("start", -1) <= span[0] and span[1] <= entity.get("end", -1):
            return entity["entity"] + (f".{entity['role']}" if entity.get("role") else "")
    return _NO_ENTITY


def annotated(lang: Lang) -> list[tuple[str, list[dict[str, Any]]]]:
    """(text, annotated entities) of every held-out NLU example."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(TEST_SETS / lang))
    return [(m.get("text"), m.get("entities") or []) for m in data.intent_examples]


def held_out_entities(lang: Lang, parse: Parse) -> dict[str, float]:
    examples = annotated(lang)
    return {
        "entity_f1": entity_f1(examples, parse, {CRF, MATCHER}),
        "entity_f1_without_matcher": entity_f1(examples, parse, {CRF}),
    }


def held_out_answers(lang: Lang, parse: Parse) -> dict[str, Any]:
    questions = yaml.safe_load((HELD_OUT / f"{lang}.yml").read_text(encoding="utf-8"))
    honest = [is_honest(reply_to(parse(q["text"]), lang), q["lacks"]) for q in questions["honesty"]]
    roles = [is_norways_only(reply_to(parse(text), lang)) for text in questions["roles"]]
    return {
        "honesty": sum(honest) / len(honest),
        "honesty_questions": len(honest),
        "roles": sum(roles) / len(roles),
        "roles_questions": len(roles),
    }


# --- the held-out conversations, turn by turn -------------------------------------

# Replies that first say the store cannot answer (what it lacks, a name it does not know, out of scope).
SAYS_UNKNOWN = {
    *LACKS.values(), LACKS_PER_MISSION, LACKS_YEAR, *UNKNOWN.values(), *UNKNOWN_UNNAMED.values(), NO_TOPIC, OUT_OF_SCOPE, ONLY_NORWAY,
    CURRENCY_FIGURES,
}
GOODBYE = "utter_goodbye"


@dataclass(frozen=True)
class Turn:
    """One scored turn: its set, kind and language, and whether the reply met every expectation."""

    set: str
    kind: str
    language: Lang
    right: bool
    # What was asked and answered (response names), shown for the development sets only.
    text: str = ""
    replies: tuple[str, ...] = ()


def _responses() -> dict[str, dict[str, str]]:
    """Each domain response's text by language, as the NLG picks it."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    texts: dict[str, dict[str, str]] = {}
    for name, variants in domain["responses"].items():
        for variant in variants:
            lang = _condition_language(variant)
            texts.setdefault(name, {})[lang] = variant.get("text", "")
    return texts


def _condition_language(variant: dict[str, Any]) -> Lang:
    """The language a response variant is for: its `language` slot condition's value, else the default."""
    values = [c.get("value") for c in variant.get("condition") or [] if c.get("name") == slots.LANGUAGE]
    return values[0] if values else DEFAULT_LANGUAGE


def render(reply: Reply, lang: Lang, responses: dict[str, dict[str, str]]) -> str:
    """The reply's text as the visitor reads it: the response in ``lang``, its variables filled."""
    text = responses.get(reply.response, {}).get(lang, "")
    return re.sub(r"{(\w+)}", lambda m: str(reply.values.get(m.group(1), m.group(0))), text)


def _turn_outcome(parsed: dict[str, Any], lang: Lang, focus: Optional[str]) -> Outcome:
    """The replies the rules give the parsed message: an answering action's, or one canned response."""
    answered = reply_to(parsed, lang, focus)
    if answered is not None:
        return answered
    intent = (parsed.get("intent") or {}).get("name") or ""
    return Outcome((Reply(routes().get(intent, "utter_fallback_rephrase")),), focus=focus)


def _language_after(parsed: dict[str, Any], language: Optional[str]) -> Optional[str]:
    """The `language` slot after the message: its language entity, else unchanged."""
    found = [normalise(str(e.get("value"))) for e in parsed.get("entities", []) if e.get("entity") == "language"]
    return next((f for f in found if f), language)


def meets(outcome: Outcome, lang: Lang, expect: dict[str, Any], responses: dict[str, dict[str, str]]) -> bool:
    """Whether a turn's replies meet its expectations: language, facts, honesty, refusal, mentions."""
    names = [r.response for r in outcome.replies]
    refusals = {name for name in responses if name.startswith("utter_refuse")}
    if not names or lang != expect.get("reply_language") or GOODBYE in names:
        return False
    if bool(expect.get("refuses")) != (names[0] in refusals):
        return False
    if bool(expect.get("says_unknown")) != (names[0] in SAYS_UNKNOWN) and not expect.get("refuses"):
        return False
    given = {i for r in outcome.replies if r.response == FACTS for i in r.values.get("fact_ids", "").split()}
    if not set(expect.get("facts") or ()) <= given:
        return False
    # A later hand wrote where several records would do: one of them is enough.
    if expect.get("any_facts") and not set(expect["any_facts"]) & given:
        return False
    said = fold(" ".join(render(r, lang, responses) for r in outcome.replies))
    return all(fold(str(m)) in said for m in expect.get("mentions") or ())


def held_out_conversations(parse: Parse, folder: Path = HELD_OUT) -> list[Turn]:
    """Every turn of every conversation set in ``folder``, played in order with the slots carried."""
    responses = _responses()
    turns: list[Turn] = []
    for name in CONVERSATION_SETS:
        for lang in LANGUAGES:
            path = folder / name / f"{lang}.yml"
            if not path.exists():
                continue
            for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
                language, focus = None, None
                for turn in conversation["turns"]:
                    parsed = parse(turn["text"])
                    language = _language_after(parsed, language)
                    said_in = decide(Signals(conversation=language)).language
                    outcome = _turn_outcome(parsed, said_in, focus)
                    focus = outcome.focus or focus
                    right = meets(outcome, said_in, turn["expect"], responses)
                    names = tuple(f"{r.response}[{r.values.get('fact_ids', '')}]" if r.response == FACTS else r.response
                                  for r in outcome.replies)
                    turns.append(Turn(name, conversation["kind"], lang, right, turn["text"], (said_in, *names)))
    return turns


def scores(turns: list[Turn]) -> dict[str, dict[str, tuple[int, int]]]:
    """(right, total) per set and language, and per set, kind and language."""
    table: dict[str, dict[str, tuple[int, int]]] = {}
    for turn in turns:
        for row in (f"{turn.set}", f"{turn.set}/{turn.kind}"):
            right, total = table.setdefault(row, {}).get(turn.language, (0, 0))
            table[row][turn.language] = (right + turn.right, total + 1)
    return table


def print_scores(table: dict[str, dict[str, tuple[int, int]]], title: str = "held-out conversations") -> None:
    print(f"\n{title:<34}" + "".join(f"{lang:>14}" for lang in LANGUAGES))
    for row in sorted(table, key=lambda r: (r.split("/")[0], "/" in r, r)):
        cells = [table[row].get(lang) for lang in LANGUAGES]
        print(f"{row:<34}" + "".join(f"{c[0] / c[1]:>7.2f} {c[0]:>2}/{c[1]:<3}" if c else f"{'-':>14}" for c in cells))


def _parser(model: Path) -> Parse:
    from rasa.core.agent import load_agent

    from rasa.utils.log_utils import configure_structlog

    agent = asyncio.run(load_agent(model_path=str(model)))
    # The agent logs every parse at debug level; the table is what matters here.
    configure_structlog(logging.WARNING)
    return lambda text: asyncio.run(agent.parse_message(text))


def save_pictures(lang: Lang, out: Path) -> list[Path]:
    """Copy the confusion matrix and confidence histogram ``rasa test`` drew to docs/images."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    saved = []
    for drawn, name in _PICTURES.items():
        if (out / drawn).exists():
            saved.append(Path(shutil.copyfile(out / drawn, IMAGES / f"nlu-{lang}-{name}.png")))
    return saved


def evaluate(
    languages: tuple[Lang, ...] = LANGUAGES, model: Optional[Path] = None, pictures: bool = False
) -> tuple[list[Figures], dict[str, dict[str, tuple[int, int]]]]:
    """The held-out figures of each language, and the conversation sets' scores; with ``pictures``, its charts in docs/."""
    parse = _parser(model or MODEL)
    figures = []
    for lang in languages:
        out = run_rasa_test(lang, model or MODEL)
        if pictures:
            save_pictures(lang, out)
        figures.append(read_figures(lang, out, {**held_out_answers(lang, parse), **held_out_entities(lang, parse)}))
    return figures, scores(held_out_conversations(parse))


def development(folder: Path = DEV) -> int:
    """``--dev [folder]``: the development conversations' scores, and each turn missed with what it got.

    ``folder`` (tests/dev by default) holds ``<set>/<lang>.yml``: a new hand's set is scored here unseen
    before it joins tests/dev.
    """
    turns = held_out_conversations(_parser(MODEL), folder)
    for turn in turns:
        if not turn.right:
            print(f"MISS {turn.language} {turn.kind:<11} {turn.text!r} -> {' '.join(turn.replies)}")
    print_scores(scores(turns), "development conversations")
    if (folder / "nlu").is_dir():
        development_intents(folder / "nlu")
    return 0


def development_intents(sets: Path) -> None:
    """The classifier on the development sentences (``<sets>/<lang>/``): each one missed, and macro-F1 per language."""
    figures = {}
    for lang in LANGUAGES:
        if not (sets / lang).is_dir():
            continue
        out = run_rasa_test(lang, sets=sets, name="dev-nlu")
        for error in json.loads((out / "intent_errors.json").read_text()):
            print(f"MISS {lang} intent {error['intent']} -> {error['intent_prediction']['name']} {error['text']!r}")
        figures[lang] = json.loads((out / "intent_report.json").read_text())["macro avg"]["f1-score"]
    print("development intents, macro-F1   " + "".join(f"{lang:>6} {f:.3f}" for lang, f in figures.items()))


def main() -> int:
    args = sys.argv[1:]
    if "--dev" in args:
        rest = args[args.index("--dev") + 1:]
        return development(Path(rest[0]) if rest else DEV)
    figures, conversations = evaluate(pictures=True)
    print(
        f"{'lang':<5}{'intent macro-F1':>17}{'entity F1':>11}{'(CRF alone)':>13}{'lang. detection':>17}{'wrong':>7}"
        f"{'abstained':>11}{'honesty':>9}{'roles':>7}"
    )
    for f in figures:
        print(
            f"{f.language:<5}{f.intent_macro_f1:>17.3f}{f.entity_f1:>11.3f}{f.entity_f1_without_matcher:>13.3f}"
            f"{f.language_accuracy:>17.3f}"
            f"{f.language_wrong:>7}{f.language_abstained:>7}/{f.examples:<3}"
            f"{f.honesty:>9.3f}{f.roles:>7.3f}"
        )
    print_scores(conversations)
    RESULTS.mkdir(exist_ok=True)
    report = {"figures": [asdict(f) for f in figures], "conversations": conversations}
    (RESULTS / "eval.json").write_text(json.dumps(report, indent=2))
    codes = "|".join(f.language for f in figures)
    print(f"pictures: {IMAGES}/nlu-<{codes}>-confusion.png, nlu-<{codes}>-confidence.png")
    failures = [failure for f in figures for failure in f.failures()]
    for failure in failures:
        print(f"BELOW BAR: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
