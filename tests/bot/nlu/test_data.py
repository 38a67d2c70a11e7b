"""Lookups, synonyms and topic rules are generated from the store and kept in step with it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.__main__ import main
from bot.domain.store import FactStore
from bot.nlu import data as nlu_data
from tests.conftest import ROOT


@pytest.mark.parametrize("path", list(nlu_data.GENERATED), ids=lambda p: p.name)
def test_committed_files_match_the_store(store: FactStore, path: Path) -> None:
    committed = path.read_text(encoding="utf-8")
    assert committed == nlu_data.render(store, path), "run `python -m bot nlu export`"


def test_every_alias_becomes_a_synonym_with_its_folded_form(store: FactStore) -> None:
    synonyms = {
        item["synonym"]: item["examples"].splitlines()
        for item in nlu_data.nlu_document(store)["nlu"]
        if "synonym" in item
    }
    assert "- Sudán del Sur" in synonyms["south_sudan"]
    assert "- sudan del sur" in synonyms["south_sudan"]
    assert "- OTAN" in synonyms["nato"]
    assert "- espanol" in synonyms["es"]


def test_each_topics_intent_runs_the_action_the_store_names(store: FactStore) -> None:
    routes = {rule["steps"][0]["intent"]: rule["steps"][1]["action"] for rule in nlu_data.rules_document(store)["rules"]}
    assert routes == {topic.intent: topic.action for topic in store.of_kind("topic")}
    assert routes["ask_deployments"] == "action_answer_deployments"
    assert routes["ask_peace"] == "action_answer_topic"


def test_the_rules_route_each_topic_and_the_hand_written_intents(store: FactStore) -> None:
    routes = nlu_data.routes()
    assert {topic.intent: routes[topic.intent] for topic in store.of_kind("topic")} == {
        topic.intent: topic.action for topic in store.of_kind("topic")
    }
    assert routes["out_of_scope"] == "action_answer_out_of_scope" and routes["greet"] == "action_answer_small_talk"


def test_the_domain_declares_every_intent_and_action_the_rules_name(store: FactStore) -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for rule in nlu_data.rules_document(store)["rules"]:
        (intent,), (action,) = (step.values() for step in rule["steps"])
        assert intent in domain["intents"] and action in domain["actions"], rule


def test_no_hand_written_rule_routes_a_topics_intent(store: FactStore) -> None:
    intents = {topic.intent for topic in store.of_kind("topic")}
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        if path != nlu_data.TOPIC_RULES_FILE:
            rules = yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
            assert not intents & {step.get("intent") for rule in rules for step in rule["steps"]}, path.name


def test_check_fails_until_export_brings_the_files_in_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nlu", "check", "--root", str(tmp_path)]) == 1
    assert main(["nlu", "export", "--root", str(tmp_path)]) == 0
    assert main(["nlu", "check", "--root", str(tmp_path)]) == 0
    rules = tmp_path / "data" / "rules" / "topics.yml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("action_answer_topic", "utter_greet", 1), encoding="utf-8")
    capsys.readouterr()
    assert main(["nlu", "check", "--root", str(tmp_path)]) == 1
    assert "topics.yml is out of date with bot/facts" in capsys.readouterr().err
