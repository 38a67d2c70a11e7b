"""The project's validation: Rasa's checks, with the responses the actions send counted as used."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.nlu.validate import problems
from bot.paths import DOMAIN, ROOT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "config.yml", tmp_path / "config.yml")
    shutil.copy(DOMAIN, tmp_path / "domain.yml")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path


def _change_domain(project: Path, change) -> None:  # type: ignore[no-untyped-def]
    domain = yaml.safe_load((project / "domain.yml").read_text(encoding="utf-8"))
    change(domain)
    (project / "domain.yml").write_text(yaml.safe_dump(domain, allow_unicode=True), encoding="utf-8")


def _problems(project: Path) -> list[str]:
    return problems(project / "config.yml", project / "domain.yml", project / "data")


def test_the_project_is_valid_though_no_rule_names_the_responses_the_actions_send(project: Path) -> None:
    assert _problems(project) == []


def test_a_response_nothing_sends_is_named(project: Path) -> None:
    _change_domain(project, lambda d: d["responses"].update({"utter_orphan_text": [{"text": "Nobody sends this."}]}))
    assert _problems(project) == ["response 'utter_orphan_text' is sent by no rule, story or action"]


def test_a_response_the_actions_send_must_exist(project: Path) -> None:
    _change_domain(project, lambda d: d["responses"].pop("utter_fact_lacks_budget"))
    assert "the actions send 'utter_fact_lacks_budget', which domain.yml lacks" in _problems(project)


def test_an_intent_without_examples_is_named_unless_a_button_sends_it(project: Path) -> None:
    _change_domain(project, lambda d: d["intents"].append("ask_weather"))
    assert _problems(project) == ["intent 'ask_weather' has no training examples"]
