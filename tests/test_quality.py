"""Quality gates on the trained model: held-out NLU figures and the test stories."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools import evaluate
from tests.conftest import LANGS, ROOT

pytestmark = pytest.mark.quality


@pytest.fixture(scope="module")
def figures() -> dict[str, evaluate.Figures]:
    return {f.language: f for f in evaluate.evaluate()[0]}


# Bars a language does not meet yet, each with its figure on 2026-12-07 (docs/nlu.md, "Visitors'
# own words"): Norwegian's question words are a translation of the English and Spanish
# ones, not tuned to its held-out questions. The test fails if another bar is missed, and
# also once one of these is met, so that it leaves this list.
KNOWN_SHORT = {"nb": {"honesty": 0.824, "roles": 0.923}}


@pytest.mark.parametrize("lang", LANGS)
def test_held_out_nlu_figures_meet_the_bars(figures: dict[str, evaluate.Figures], lang: str) -> None:
    result = figures[lang]
    print(f"{lang}: intent macro-F1 {result.intent_macro_f1:.3f}, entity F1 {result.entity_f1:.3f}, "
          f"language detection {result.language_accuracy:.3f}")
    known = KNOWN_SHORT.get(lang, {})
    missed = [f for f in result.failures() if not any(f.startswith(f"{lang} {name} ") for name in known)]
    assert not missed
    met = [name for name in known if getattr(result, name) >= evaluate.BARS[name]]
    assert not met, f"{lang} now meets {met}: take them out of KNOWN_SHORT"
    if known:
        print(f"{lang}: below the bar, as known: " + ", ".join(f"{n} {getattr(result, n):.3f}" for n in known))


def test_every_test_story_passes(tmp_path: Path) -> None:
    rasa = os.path.join(os.path.dirname(sys.executable), "rasa")
    command = [rasa, "test", "core", "--model", str(ROOT / evaluate.MODEL), "--stories", str(ROOT / "tests/stories"),
               "--out", str(tmp_path), "--quiet", "--no-plot"]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert "None of the test stories failed" in failed, failed


def test_rasa_data_validate_passes() -> None:
    rasa = os.path.join(os.path.dirname(sys.executable), "rasa")
    result = subprocess.run([rasa, "data", "validate", "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_new_hands_set_is_scored_unseen_as_the_readme_shows(tmp_path: Path) -> None:
    # `python -m tools.evaluate --dev <folder>`: a set written elsewhere, scored before it joins tests/dev.
    (tmp_path / "visitors").mkdir()
    (tmp_path / "visitors" / "en.yml").write_text(
        "conversations:\n"
        "  - kind: followup\n"
        "    turns:\n"
        "      - text: \"How many Norwegian police officers served in UN missions?\"\n"
        "        expect: {reply_language: en, facts: [police], says_unknown: false, refuses: false, mentions: [\"30\"]}\n"
        "      - text: \"and where were they?\"\n"
        "        expect: {reply_language: en, facts: [police], says_unknown: false, refuses: false, mentions: [\"Cyprus\"]}\n"
        "      - text: \"what colour are their uniforms?\"\n"
        "        expect: {reply_language: es, facts: [], says_unknown: false, refuses: false}\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, "-m", "tools.evaluate", "--dev", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    # The last turn expects the wrong language on purpose: it is shown as missed, and the score counts it.
    assert "MISS en followup    'what colour are their uniforms?'" in done.stdout, done.stdout[-2000:]
    assert "visitors/followup" in done.stdout and "0.67  2/3" in done.stdout, done.stdout[-2000:]
