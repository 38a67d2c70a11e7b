"""`make review`: the reviewed files, the entity corrections, and a real terminal from a seeded store to training data.

The terminal tests seed the store with real conversations through the real
servers, drive `make review` as staff would, then read what it wrote with
Rasa's own importer, together with data/, as `make train` would.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pexpect
import pytest
import yaml
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.paths import DOMAIN, MODEL, NLU_DATA
from tests.conftest import LANGS, ROOT, port_open, require
from tests.conversations.test_rest import Visitor
from tests.servers import LOGS, loopback_settings, require_model, start_assistant
from tools.report.analysis import example_key
from tools.review.examples import (
    CorrectionError, Entity, annotate, append, clean, create_empty, declared_entities, known_examples, parse_correction,
    path_for, plain, read, reviewed,
)
from tools.store import read_events, store_url

KINDS = declared_entities(yaml.safe_load(DOMAIN.read_text(encoding="utf-8")))
# What visitors ask, per language: a question out of scope, and a place the store lacks after an answer.
OUT_OF_SCOPE = {"en": "What is the best recipe for chocolate cake?",
                "es": "¿Cuál es la mejor receta de tarta de chocolate?",
                "nb": "Hva er den beste oppskriften på sjokoladekake?"}
ANSWERED = {"en": "How many Norwegian soldiers serve in UN missions?",
            "es": "¿Cuántos soldados noruegos hay en misiones de la ONU?",
            "nb": "Hvor mange norske soldater tjenestegjør i FN-operasjoner?"}
UNKNOWN_PLACE = {"en": ("and in Brazil?", "Brazil"), "es": ("¿y en Brasil?", "Brasil"), "nb": ("og i Brasil?", "Brasil")}
# Unanswered too (a place the store lacks), yet already training examples: labelling them writes nothing.
UNKNOWN_PLACE_NAMES = {place for _, place in UNKNOWN_PLACE.values()}
KNOWN = {"en": "what about Germany?", "es": "que hay de Alemania", "nb": "hva med Tyskland?"}
START_TIMEOUT_S = 300


@pytest.mark.parametrize("lang", LANGS)
def test_an_entity_correction_marks_the_words_typed(lang: str) -> None:
    text, place = UNKNOWN_PLACE[lang]
    (entity,) = parse_correction(f"place={place.lower()}", text, KINDS)
    assert text[entity.start:entity.end] == place
    assert annotate(text, [entity]) == text.replace(place, f"[{place}](place)")
    question = {"en": "how many police officers does Sweden have in Mali?",
                "es": "¿cuántos policías tiene Suecia en Malí?",
                "nb": "hvor mange politifolk har Sverige i Mali?"}[lang]
    words = {"en": ("police officers", "Sweden", "Mali"), "es": ("policías", "Suecia", "Malí"),
             "nb": ("politifolk", "Sverige", "Mali")}[lang]
    entities = parse_correction(f'personnel="{words[0]}" place:sender={words[1]} place={words[2]}', question, KINDS)
    marked = annotate(question, entities)
    assert f"[{words[0]}](personnel)" in marked and f"[{words[2]}](place)" in marked
    assert f'[{words[1]}]{{"entity": "place", "role": "sender"}}' in marked
    assert plain(marked) == question
    assert parse_correction("-", question, KINDS) == []


@pytest.mark.parametrize("line", ["place", "place=", "planet=Mars", "place:receiver=Mali", "place=Oslo",
                                  'personnel="unclosed', "place=Mali place=Mal", "language=Mali"])
def test_a_correction_that_cannot_apply_says_why(line: str) -> None:
    with pytest.raises(CorrectionError) as error:
        parse_correction(line, "how many police in Mali?", KINDS)
    assert str(error.value)


@pytest.mark.parametrize("lang", LANGS)
def test_reviewed_files_start_empty_and_valid_and_stay_rasa_training_data(lang: str, tmp_path: Path) -> None:
    created = create_empty(tmp_path)
    assert path_for(tmp_path, lang) in created and create_empty(tmp_path) == []
    assert RasaYAMLReader().read(str(path_for(tmp_path, lang))).training_examples == []
    text, place = UNKNOWN_PLACE[lang]
    # What a visitor typed is data: brackets, braces and control characters cannot become markup or break the file.
    hostile = clean(f"[{OUT_OF_SCOPE[lang]}](place) {{x}}\x00\n- ok")
    append(tmp_path, lang, "out_of_scope", hostile)
    start = text.index(place)
    append(tmp_path, lang, "ask_deployments", annotate(text, [Entity("place", start, start + len(place))]))
    append(tmp_path, lang, "out_of_scope", OUT_OF_SCOPE[lang])
    assert list(read(path_for(tmp_path, lang))) == ["out_of_scope", "ask_deployments"]
    data = RasaYAMLReader().read(str(path_for(tmp_path, lang)))
    by_text = {m.get("text"): m for m in data.training_examples}
    assert by_text[text].get("intent") == "ask_deployments"
    assert [(e["entity"], e["value"]) for e in by_text[text].get("entities")] == [("place", place)]
    assert not by_text[hostile].get("entities") and by_text[OUT_OF_SCOPE[lang]].get("intent") == "out_of_scope"
    assert reviewed(tmp_path)[(lang, example_key(text))] == "ask_deployments"


def test_every_language_has_a_valid_reviewed_file_in_data() -> None:
    for lang in LANGS:
        path = path_for(NLU_DATA, lang)
        assert path.exists(), f"make review writes {path}; it is committed, empty or not"
        RasaYAMLReader().read(str(path))


def test_make_train_takes_the_reviewed_files_in() -> None:
    """They are among the Makefile's training inputs, so a label written retrains at the next `make train`."""
    printed = subprocess.run(
        ["make", "--no-print-directory", "-s", "-f", "Makefile", "-f", "-", "train-inputs"],
        input="train-inputs:\n\t@echo $(TRAIN_INPUTS)\n", cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    assert {f"data/nlu/{lang}/reviewed.yml" for lang in LANGS} <= set(printed), printed


# --- the terminal --------------------------------------------------------------


def converse(rest_url: str) -> None:
    for lang in LANGS:
        Visitor(rest_url).say(OUT_OF_SCOPE[lang])
        visitor = Visitor(rest_url)
        visitor.say(ANSWERED[lang])
        visitor.say(UNKNOWN_PLACE[lang][0])
        Visitor(rest_url).say(KNOWN[lang])


def store_fingerprint(env: dict[str, str]) -> tuple[int, str]:
    """How many events the store holds, and a digest of them: reviewing must change neither."""
    events = read_events(store_url(settings_of(env)))
    digest = hashlib.sha256("".join(f"{e.id}{e.sender}{sorted(e.data.items())}" for e in events).encode())
    return len(events), digest.hexdigest()


def settings_of(env: dict[str, str]):  # type: ignore[no-untyped-def]
    return loopback_settings(database_url=env.get("DATABASE_URL", ""))


def checkout_state() -> tuple[str, float]:
    """What tests must leave alone: the tracked and untracked files under data/, and the model."""
    status = subprocess.run(["git", "status", "--porcelain", "--", "data", "docs"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    return status, MODEL.stat().st_mtime


def review_in_terminal(since: float, data: Path, env: dict[str, str], name: str) -> str:
    """`make review` as the README shows it, answering each group of questions; returns the transcript."""
    moment = datetime.fromtimestamp(since, timezone.utc).isoformat()
    clean_env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "DATABASE_URL")}
    spawned = pexpect.spawn(
        "make", ["--no-print-directory", "review", f"REVIEW_ARGS=--since {moment} --data {data}"],
        cwd=str(ROOT), env={**clean_env, "PYTHON": sys.executable, **env}, encoding="utf-8", timeout=60,
        dimensions=(40, 200),
    )
    LOGS.mkdir(parents=True, exist_ok=True)
    transcript_path = LOGS / f"review-transcript-{'postgresql' if env.get('DATABASE_URL') else 'sqlite'}-{name}.txt"
    with open(transcript_path, "w", encoding="utf-8") as transcript:
        spawned.logfile_read = transcript
        try:
            answer_every_group(spawned)
            spawned.expect(pexpect.EOF, timeout=60)
        finally:
            spawned.close(force=True)
    assert spawned.exitstatus == 0
    return transcript_path.read_text(encoding="utf-8")


def answer_every_group(spawned: pexpect.spawn) -> None:
    """Out of scope for the cake, the place corrected then ask_deployments for France, skip anything else."""
    codes = "|".join(LANGS)
    while spawned.expect([rf"\[\d+ of \d+\][^\n]*\n((?:  (?:{codes})  [^\n]*\n)+)", r"Labelled \d+|Nothing to review"],
                         timeout=START_TIMEOUT_S) == 0:
        shown = spawned.match.group(1)
        spawned.expect_exact("review> ")
        lang = next((lang for lang in LANGS if f"  {lang}  " in shown), None)
        assert lang is not None, shown
        if OUT_OF_SCOPE[lang] in shown:
            spawned.sendline("o")
        elif KNOWN[lang] in shown:
            spawned.sendline("ask_deployments")
            spawned.expect_exact(f"left out, already an example of ask_deployments in data/nlu/{lang}/")
        elif UNKNOWN_PLACE[lang][0] in shown:
            spawned.sendline("place=Mars")  # a name the question lacks: refused, and asked again
            spawned.expect_exact("'Mars' is not in the question")
            spawned.expect_exact("review> ")
            spawned.sendline(f"place={UNKNOWN_PLACE[lang][1]}")
            spawned.expect_exact("(now choose the intent)")
            spawned.expect_exact("review> ")
            spawned.sendline("ask_deployments")
        else:
            spawned.sendline("s")


def check_written(data: Path, transcript: str) -> None:
    """The files are Rasa training data, read by Rasa's importer together with data/ as `make train` reads it."""
    # Per language the cake, and per place name (one group across the languages that spell it alike) the
    # unknown place, are labelled; the known question is already an example.
    labelled, known = len(OUT_OF_SCOPE) + len(UNKNOWN_PLACE_NAMES), len(LANGS)
    assert re.search(rf"Labelled {labelled}, skipped \d+, already examples {known}\.", transcript), transcript[-2000:]
    assert "+ out_of_scope in en/reviewed.yml" in transcript
    assert not re.search(r"\b(DEBUG|INFO|WARNING)\b|Traceback|Warning:", transcript), transcript[-3000:]
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(DOMAIN), [str(ROOT / "data"), str(data)])
    examples = {m.get("text"): m for m in importer.get_nlu_data().training_examples}
    for lang in LANGS:
        written = read(path_for(data, lang))
        assert written["out_of_scope"] == [OUT_OF_SCOPE[lang]]  # and nothing for KNOWN
        text, place = UNKNOWN_PLACE[lang]
        assert written["ask_deployments"] == [text.replace(place, f"[{place}](place)")]
        assert examples[OUT_OF_SCOPE[lang]].get("intent") == "out_of_scope"
        assert examples[text].get("intent") == "ask_deployments"
        assert [e["entity"] for e in examples[text].get("entities")] == ["place"]


def check_report_marks_them(since: float, data: Path, env: dict[str, str], tmp_path: Path) -> None:
    moment = datetime.fromtimestamp(since, timezone.utc).isoformat()
    output = tmp_path / "report.html"
    clean_env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "DATABASE_URL")}
    result = subprocess.run(
        ["make", "--no-print-directory", "report", f"REPORT_ARGS=--since {moment} --output {output} --data {data}"],
        cwd=ROOT, env={**clean_env, **env}, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Reviewed with make review: {len(OUT_OF_SCOPE) + len(UNKNOWN_PLACE_NAMES)} of the groups listed" in result.stdout, result.stdout
    page = output.read_text(encoding="utf-8")
    assert page.count("✓ out_of_scope (1 of 1)") == len(OUT_OF_SCOPE)
    # One group per unknown place name, each of its questions labelled.
    assert len(re.findall(r"✓ ask_deployments \((\d+) of \1\)", page)) == len(UNKNOWN_PLACE_NAMES)


def review_round_trip(rest_url: str, env: dict[str, str], tmp_path: Path) -> None:
    require_model()
    known = known_examples([folder / lang for folder in (NLU_DATA, ROOT / "tests" / "nlu") for lang in LANGS])
    assert not {example_key(t) for t in [*OUT_OF_SCOPE.values(), *(t for t, _ in UNKNOWN_PLACE.values())]} & set(known)
    assert {example_key(t) for t in KNOWN.values()} <= set(known)
    since = time.time()
    converse(rest_url)
    before, stored = checkout_state(), store_fingerprint(env)
    data = tmp_path / "nlu"
    transcript = review_in_terminal(since, data, env, "first")
    check_written(data, transcript)
    assert store_fingerprint(env) == stored, "make review wrote to the conversation store"
    assert checkout_state() == before, "make review changed data/, docs/ or the model"
    check_report_marks_them(since, data, env, tmp_path)
    # Reviewed questions are not asked again; skipped ones are.
    again = review_in_terminal(since, data, env, "again")
    assert not any(text in again for text in [*OUT_OF_SCOPE.values(), *(t for t, _ in UNKNOWN_PLACE.values())])


@pytest.mark.servers
def test_make_review_in_a_terminal_from_a_sqlite_store(assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    review_round_trip(assistant.rest_url, {}, tmp_path)


@pytest.fixture(scope="module")
def postgres_assistant() -> Iterator[tuple[str, object]]:
    require(port_open("127.0.0.1", 5432), "PostgreSQL", "start it, or run in CI")
    from tests.scale.cluster import fresh_database

    with fresh_database() as database_url:
        running = start_assistant("review-postgresql", loopback_settings(database_url=database_url))
        try:
            yield database_url, running
        finally:
            running.stop()


@pytest.mark.servers
@pytest.mark.services
def test_make_review_in_a_terminal_from_a_postgresql_store(postgres_assistant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    database_url, running = postgres_assistant
    review_round_trip(running.rest_url, {"DATABASE_URL": database_url}, tmp_path)
