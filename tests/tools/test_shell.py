"""`make shell` as staff use it: a real terminal, a question, the answer and the staff line."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

from bot.domain.store import FactStore
from tests.conftest import LANGS, ROOT
from tests.servers import LOGS, require_model
from tools.shell import staff_line
from tools.store import Event
from tools.turns import TurnReader

QUESTION = {"en": "How many Norwegian police officers are in UN missions?",
            "es": "¿Cuántos policías noruegos hay en misiones de la ONU?",
            "nb": "Hvor mange norske politifolk er i FN-operasjoner?"}
POLICE = {"en": "police officers", "es": "policías", "nb": "politifolk"}
START_TIMEOUT_S = 300
# Variables that would connect a platform; the shell must start without any.
PLATFORM_PREFIXES = ("TELEGRAM_", "SLACK_", "FACEBOOK_")


def _events(lang: str) -> list[Event]:
    """What Rasa stores for one answered question, as the tracker store holds it."""
    start = QUESTION[lang].index(POLICE[lang])
    user = {
        "event": "user", "timestamp": 1.0, "text": QUESTION[lang],
        "parse_data": {
            "intent": {"name": "ask_deployments", "confidence": 0.91},
            "entities": [
                {"entity": "personnel", "value": "police", "start": start, "end": start + len(POLICE[lang])},
                {"entity": "language", "value": lang, "extractor": "LanguageDetector"},
            ],
        },
    }
    return [
        Event(1, "s", {"event": "session_started", "timestamp": 0.5}),
        Event(2, "s", user),
        Event(3, "s", {"event": "slot", "name": "language", "value": lang, "timestamp": 1.1}),
        Event(4, "s", {"event": "action", "name": "action_answer_deployments", "timestamp": 1.2}),
        Event(5, "s", {"event": "bot", "text": "…", "timestamp": 1.3,
                       "metadata": {"utter_action": "utter_fact_answer", "fact_ids": "police unficyp"}}),
        Event(6, "s", {"event": "action", "name": "action_listen", "timestamp": 1.4}),
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_staff_line_shows_language_intent_entities_facts_and_source(lang: str, store: FactStore) -> None:
    reader = TurnReader()
    (turn,) = reader.feed(_events(lang))
    line = staff_line(turn, store)
    assert f"{lang} detected" in line
    assert "ask_deployments 0.91" in line
    assert f'personnel "{POLICE[lang]}"=police' in line
    assert "action_answer_deployments" in line
    assert "facts police, unficyp" in line
    assert "source peace_stability_security (2019)" in line


@pytest.mark.parametrize("lang", LANGS)
def test_staff_line_names_what_the_store_lacks(lang: str, store: FactStore) -> None:
    events = _events(lang)[:4] + [
        Event(5, "s", {"event": "bot", "timestamp": 1.3,
                       "metadata": {"utter_action": "utter_deployments_unknown_place", "name": "Francia"}}),
    ]
    events[1].data["parse_data"]["entities"][0] = {"entity": "place", "value": "Francia"}
    (turn,) = TurnReader().feed(events)
    line = staff_line(turn, store)
    assert 'place "Francia"=not in store' in line and "not in store: Francia" in line
    assert "facts" not in line


def test_staff_line_says_when_the_language_was_kept_or_requested(store: FactStore) -> None:
    events = _events("es")
    events[1].data["parse_data"]["entities"].pop()
    (kept,) = TurnReader().feed(events)
    assert kept.language_how == "kept" and kept.language == "es"
    events = _events("en")
    events[1].data["parse_data"]["intent"]["name"] = "switch_language"
    (requested,) = TurnReader().feed(events)
    assert requested.language_how == "requested"


@pytest.mark.parametrize("lang", LANGS)
def test_staff_line_says_when_the_pages_locale_switched_the_language(lang: str) -> None:
    events = _events(lang)
    parse = events[1].data["parse_data"]
    parse["intent"]["name"] = "switch_language"
    parse["entities"] = [{"entity": "language", "value": lang, "extractor": "RegexMessageHandler"}]
    events[1].data["text"] = '/switch_language{"language": "%s"}' % lang
    (switched,) = TurnReader().feed(events)
    assert switched.language_how == "locale" and switched.language == lang


@pytest.mark.servers
def test_make_shell_in_a_terminal_answers_in_spanish_with_the_staff_line(tmp_path: Path) -> None:

    require_model()
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_PREFIXES) and k not in ("MAKEFLAGS", "MFLAGS")}
    env["PYTHON"] = sys.executable
    # Logs, conversations and this run's secret in a folder of the test's own.
    env["VAR_DIR"] = str(tmp_path)
    shell = pexpect.spawn("make", ["--no-print-directory", "shell"], cwd=str(ROOT), env=env, encoding="utf-8",
                          timeout=60, dimensions=(40, 200))
    LOGS.mkdir(parents=True, exist_ok=True)
    transcript = open(LOGS / "shell-transcript.txt", "w", encoding="utf-8")
    shell.logfile_read = transcript
    try:
        shell.expect_exact("you> ", timeout=START_TIMEOUT_S)
        shell.sendline(QUESTION["es"])
        shell.expect_exact("you> ")
        echo, reply = shell.before.split("\n", 1)
        assert QUESTION["es"] in echo
        assert "30" in reply and "agentes de policía" in reply and "Fuente:" in reply
        staff = re.search(r"\[(es \w+) · ask_deployments [01]\.\d\d · ([^\n]*)\]\r?\n", reply)
        assert staff, reply
        assert staff.group(1) == "es detected"
        assert re.search(r'personnel "polic[ií]as"=police', staff.group(2)), staff.group(2)
        assert "facts police" in staff.group(2) and "source peace_stability_security (2019)" in staff.group(2)

        # A button's number presses it: [1] 👍 [2] 👎 under the answer.
        assert "[1] 👍 Sí  [2] 👎 No" in reply
        shell.sendline("2")
        shell.expect_exact("you> ")
        assert "Gracias" in shell.before and "rate_answer 1.00" in shell.before and "rating down" in shell.before

        # The other language switches, as on the page.
        shell.sendline(QUESTION["en"])
        shell.expect_exact("you> ")
        assert "Source:" in shell.before and "[en detected · ask_deployments" in shell.before

        shell.sendline("hola")
        shell.expect_exact("you> ")
        assert "¡Hola!" in shell.before and re.search(r"\[es \w+ · greet", shell.before)

        # After /restart a name alone, in no language, is read in the default one, not the Spanish kept so far.
        shell.sendline("/restart")
        shell.expect_exact("[new conversation]")
        shell.expect_exact("you> ")
        shell.sendline("MINUSMA")
        shell.expect_exact("you> ")
        assert "[en kept · " in shell.before and "Source:" in shell.before
        shell.sendeof()
        shell.expect(pexpect.EOF, timeout=60)
    finally:
        shell.close(force=True)
        transcript.close()
    assert shell.exitstatus == 0
    text = (LOGS / "shell-transcript.txt").read_text(encoding="utf-8")
    # No log flood in the terminal: the servers log to var/.
    assert not re.search(r"\b(DEBUG|INFO|WARNING)\b|Traceback|rasa\.core", text), text[-2000:]
    assert (tmp_path / "shell.log").stat().st_size > 0
