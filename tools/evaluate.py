"""``make eval``: understanding on the held-out test sets, per language, with bars.

Runs ``rasa test nlu`` on ``tests/nlu/<lang>``, reads the reports it writes,
measures language detection on the same sentences, then asks the trained
model and the answer logic the held-out questions of ``tests/heldout/<lang>.yml``
(questions for facts the store lacks; another country's troops). Prints a
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
from actions.scope import ActionAnswerOutOfScope
from actions.topics import ActionAnswerTopic
from bot.domain.answers import FACTS, LACKS, ONLY_NORWAY, UNKNOWN, UNKNOWN_UNNAMED, Outcome
from bot.domain.langid import sentences
from bot.domain.language import LANGUAGES, SWITCH_INTENT, Lang, decide, read_words
from bot.nlu.data import routes
from bot.paths import MODEL, RESULTS, ROOT

TEST_SETS = ROOT / "tests" / "nlu"
HELD_OUT = ROOT / "tests" / "heldout"
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


def run_rasa_test(lang: Lang, model: Path = MODEL) -> Path:
    out = RESULTS / f"nlu-{lang}"
    command = [
        os.path.join(os.path.dirname(sys.executable), "rasa"), "test", "nlu", "--model", str(model),
        "--nlu", str(TEST_SETS / lang), "--out", str(out), "--quiet",
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
_ANSWERING = {action.name(): action for action in (ActionAnswerDeployments(), ActionAnswerTopic(), ActionAnswerOutOfScope())}


def reply_to(parsed: dict[str, Any], lang: Lang) -> Optional[Outcome]:
    """What the action the rules give the parsed message's intent would reply, or ``None`` for a canned reply."""
    intent = (parsed.get("intent") or {}).get("name") or ""
    action = _ANSWERING.get(routes().get(intent, ""))
    if action is None:
        return None
    tracker = Tracker(
        sender_id="evaluate", slots={slots.LANGUAGE: lang, slots.FOCUS: None}, latest_message=parsed,
        events=[], paused=False, followup_action=None, active_loop={}, latest_action_name=None,
    )
    return action.outcome(tracker)


def is_honest(answer: Optional[Outcome], lacks: str) -> bool:
    """Says first that the source lacks that kind of fact, then gives what it holds."""
    if answer is None or len(answer.replies) < 2:
        return False
    return answer.replies[0].response == LACKS[lacks] and answer.replies[1].response != answer.replies[0].response


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


def evaluate(languages: tuple[Lang, ...] = LANGUAGES, model: Optional[Path] = None) -> list[Figures]:
    parse = _parser(model or MODEL)
    figures = []
    for lang in languages:
        out = run_rasa_test(lang, model or MODEL)
        save_pictures(lang, out)
        figures.append(read_figures(lang, out, {**held_out_answers(lang, parse), **held_out_entities(lang, parse)}))
    return figures


def main() -> int:
    figures = evaluate()
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
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "eval.json").write_text(json.dumps([asdict(f) for f in figures], indent=2))
    print(f"pictures: {IMAGES}/nlu-<en|es>-confusion.png, nlu-<en|es>-confidence.png")
    failures = [failure for f in figures for failure in f.failures()]
    for failure in failures:
        print(f"BELOW BAR: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
