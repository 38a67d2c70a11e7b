"""``make eval``: NLU quality on the held-out test sets, per language, with bars.

Runs ``rasa test nlu`` on ``tests/nlu/<lang>``, reads the reports it writes,
measures language detection on the same sentences, prints a table, writes
``results/eval.json`` and exits non-zero when a figure is below its bar.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

import yaml

from bot.language import LANGUAGES, SWITCH_INTENT, Lang, detect, find_requested

RESULTS = Path("results")
TEST_SETS = Path("tests/nlu")
MODEL = Path("models/current.tar.gz")
BARS = {"intent_macro_f1": 0.95, "entity_f1": 0.95, "language_accuracy": 0.98}
_NOT_ENTITY_REPORTS = {"intent_report.json", "LanguageDetector_report.json", "response_selection_report.json"}
_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")


@dataclass(frozen=True)
class Figures:
    language: Lang
    intent_macro_f1: float
    entity_f1: float
    language_accuracy: float
    language_wrong: int
    language_abstained: int
    examples: int

    def failures(self) -> list[str]:
        return [
            f"{self.language} {name} {getattr(self, name):.3f} < {bar}"
            for name, bar in BARS.items()
            if getattr(self, name) < bar
        ]


def sentences(folder: Path) -> list[tuple[str, str]]:
    """(intent, plain text) of every example in a test set, annotations removed."""
    texts = []
    for path in sorted(folder.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in item.get("examples", "").splitlines():
                if line.startswith("- "):
                    texts.append((item["intent"], _ANNOTATION.sub(r"\1", line[2:])))
    return texts


def language_detection(lang: Lang, examples: list[tuple[str, str]]) -> tuple[float, int, int]:
    """(accuracy, wrong, abstained), deciding as the NLU pipeline does.

    An abstention keeps the conversation's language, which in a conversation
    held in ``lang`` is right; a confident wrong guess is not. A request to
    switch is right when it names the requested language.
    """
    wrong = abstained = 0
    for intent, text in examples:
        requested = find_requested(text) if intent == SWITCH_INTENT else None
        result = requested or detect(text)
        expected = requested or lang
        abstained += result is None
        wrong += result is not None and result != expected
    return 1 - wrong / len(examples), wrong, abstained


def run_rasa_test(lang: Lang, model: Path = MODEL) -> Path:
    out = RESULTS / f"nlu-{lang}"
    command = [
        os.path.join(os.path.dirname(sys.executable), "rasa"), "test", "nlu", "--model", str(model),
        "--nlu", str(TEST_SETS / lang), "--out", str(out), "--quiet",
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return out


def read_figures(lang: Lang, out: Path) -> Figures:
    intents = json.loads((out / "intent_report.json").read_text())
    entities = _entity_report(out)
    accuracy, wrong, abstained = language_detection(lang, sentences(TEST_SETS / lang))
    return Figures(
        language=lang,
        intent_macro_f1=intents["macro avg"]["f1-score"],
        entity_f1=_entity_f1(entities),
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


def evaluate(languages: tuple[Lang, ...] = LANGUAGES, model: Optional[Path] = None) -> list[Figures]:
    return [read_figures(lang, run_rasa_test(lang, model or MODEL)) for lang in languages]


def main() -> int:
    figures = evaluate()
    print(f"{'lang':<5}{'intent macro-F1':>17}{'entity F1':>11}{'lang. detection':>17}{'wrong':>7}{'abstained':>11}")
    for f in figures:
        print(
            f"{f.language:<5}{f.intent_macro_f1:>17.3f}{f.entity_f1:>11.3f}{f.language_accuracy:>17.3f}"
            f"{f.language_wrong:>7}{f.language_abstained:>11}"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "eval.json").write_text(json.dumps([asdict(f) for f in figures], indent=2))
    print(f"confusion matrices: {', '.join(str(RESULTS / f'nlu-{f.language}' / 'intent_confusion_matrix.png') for f in figures)}")
    failures = [failure for f in figures for failure in f.failures()]
    for failure in failures:
        print(f"BELOW BAR: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
