"""A very long conversation costs no more than a short one, and a conversation has a size limit.

Against the real Rasa and action servers over REST: a conversation of 3,000
turns (stored as Rasa stores them) pushed out of the tracker cache, then one
more turn of it and, at the same moment, another visitor's turn; each must
cost at most 5× an early turn and at most 1 s. And a conversation that reaches
CONVERSATION_MAX_EVENTS gets the "conversation is full" reply, in its
language, and stores nothing more.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest
import requests

from bot.channels.bodies import load_messages
from bot.channels.keys import REST, conversation_key
from bot.runtime.endpoints import conversations_db
from tests.conftest import LANGS
from tests.servers import Assistant, loopback_settings, start_assistant

pytestmark = pytest.mark.servers

TURNS = 3000
QUESTION = {"en": "How many Norwegian police officers are in UN missions?",
            "es": "¿Cuántos policías noruegos hay en misiones de la ONU?",
            "nb": "Hvor mange norske politifolk er i FN-operasjoner?"}
FOLLOW_UP = {"en": "and how many soldiers?", "es": "¿y cuántos militares?", "nb": "og hvor mange soldater?"}
MARKER = {"en": "Source:", "es": "Fuente:", "nb": "Kilde:"}


@pytest.fixture(scope="module")
def long_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    # A cache of two conversations: three other visitors push any conversation out of it.
    settings = replace(loopback_settings(), var_dir=str(tmp_path_factory.mktemp("var")), tracker_cache_size=2,
                       conversation_max_events=100_000)
    assistant = start_assistant("long", settings)
    try:
        yield assistant
    finally:
        assistant.stop()


@pytest.fixture(scope="module")
def small_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    settings = replace(loopback_settings(), var_dir=str(tmp_path_factory.mktemp("var")), conversation_max_events=100)
    assistant = start_assistant("full", settings)
    try:
        yield assistant
    finally:
        assistant.stop()


def say(assistant: Assistant, sender: str, text: str, lang: str) -> tuple[float, list[str]]:
    """Seconds the turn took, and the texts of the replies."""
    started = time.perf_counter()
    body = {"sender": sender, "message": text, "metadata": {"locale": lang}}
    response = requests.post(assistant.rest_url, json=body, timeout=60)
    took = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return took, [m.get("text", "") for m in response.json()]


def together(assistant: Assistant, senders: list[str], text: str, lang: str) -> list[tuple[float, list[str]]]:
    """One turn of each sender, all sent at the same moment."""
    with ThreadPoolExecutor(len(senders)) as pool:
        return list(pool.map(lambda sender: say(assistant, sender, text, lang), senders))


def answered(texts: list[str], lang: str) -> bool:
    return MARKER[lang] in "\n".join(texts)


def stored(database: Path, sender: str) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def lengthen(database: Path, sender: str, turns: int) -> int:
    """Repeats the conversation's last turn (its last user message and all after) until it has ``turns`` more.

    The rows are the ones Rasa stored, with later timestamps: what 3,000 real turns leave, written in a second.
    """
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT type_name, intent_name, action_name, data FROM events WHERE sender_id = ? "
                          "ORDER BY id", (sender,)).fetchall()
        start = max(i for i, row in enumerate(rows) if row[0] == "user")
        turn = rows[start:]
        clock = json.loads(rows[-1][3])["timestamp"]
        copies = []
        for _ in range(turns):
            for type_name, intent, action, data in turn:
                clock += 0.001
                event = {**json.loads(data), "timestamp": clock}
                copies.append((sender, type_name, clock, intent, action, json.dumps(event)))
        db.executemany("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                       "VALUES (?, ?, ?, ?, ?, ?)", copies)
    return stored(database, sender)


@pytest.mark.parametrize("lang", LANGS)
def test_a_3000_turn_conversation_after_a_cache_miss_costs_what_an_early_turn_does(long_assistant: Assistant,
                                                                                  lang: str) -> None:
    database = conversations_db(long_assistant.settings)
    long, other = uuid.uuid4().hex, uuid.uuid4().hex
    # Early turns: the second turns of fresh conversations, two at a time as below.
    early: list[float] = []
    for pair in ([long, other], *([uuid.uuid4().hex, uuid.uuid4().hex] for _ in range(3))):
        for sender in pair:
            say(long_assistant, sender, QUESTION[lang], lang)
        for took, texts in together(long_assistant, pair, FOLLOW_UP[lang], lang):
            assert answered(texts, lang), texts
            early.append(took)
    events = lengthen(database, conversation_key(REST, long), TURNS)
    assert events > 9 * TURNS
    # The first read of the lengthened conversation replays it all, as every read did before snapshots
    # (a conversation stored before them); Rasa's save then writes its snapshot.
    whole, texts = say(long_assistant, long, FOLLOW_UP[lang], lang)
    assert answered(texts, lang), texts
    for _ in range(3):
        say(long_assistant, uuid.uuid4().hex, QUESTION[lang], lang)

    # A cache miss for the long conversation, and another visitor writing at the same moment.
    (long_took, long_texts), (other_took, other_texts) = together(long_assistant, [long, other], FOLLOW_UP[lang], lang)

    typical = statistics.median(early)
    print(f"\n[{lang}] early turn {typical * 1000:.0f} ms; the whole history replayed: {whole * 1000:.0f} ms; "
          f"after {events} events and a cache miss: "
          f"{long_took * 1000:.0f} ms; another visitor meanwhile: {other_took * 1000:.0f} ms")
    assert answered(long_texts, lang) and answered(other_texts, lang)
    for took in (long_took, other_took):
        assert took <= min(5 * typical, 1.0), (took, typical)


@pytest.mark.parametrize("lang", LANGS)
def test_a_full_conversation_says_so_and_stores_nothing_more(small_assistant: Assistant, lang: str) -> None:
    database = conversations_db(small_assistant.settings)
    sender = uuid.uuid4().hex
    key = conversation_key(REST, sender)
    full = load_messages()["conversation_full"][lang]
    texts: list[str] = []
    for _ in range(30):
        texts = say(small_assistant, sender, QUESTION[lang], lang)[1]
        if texts == [full]:
            break
        assert answered(texts, lang), texts
    assert texts == [full]
    count = stored(database, key)
    # At most one turn past the limit, and nothing more stored once full.
    assert small_assistant.settings.conversation_max_events <= count < small_assistant.settings.conversation_max_events + 20
    assert say(small_assistant, sender, FOLLOW_UP[lang], lang)[1] == [full]
    assert stored(database, key) == count
    # Another visitor is not affected.
    assert answered(say(small_assistant, uuid.uuid4().hex, QUESTION[lang], lang)[1], lang)
