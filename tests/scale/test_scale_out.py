"""Two Rasa replicas behind the front, on the machine's PostgreSQL and Redis, as `make run` starts them.

One `python -m bot.runtime.serve` with RASA_REPLICAS=2 serves the whole module (each
Rasa takes ~700 MB and half a minute to load); the last test restarts it.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, Optional

import pytest
import requests

from bot.channels.keys import REST, conversation_key
from bot.web.replicas import preference
from tests.conftest import port_open, require
from tests.scale.cluster import ServeCluster, fresh_database, new_cluster, random_redis_url, stored_events
from tests.bot.web.test_stack import _over_polling
from tests.servers import require_model

pytestmark = [pytest.mark.services, pytest.mark.servers]

WEBHOOK = "/webhooks/rest/webhook"
REQUEST_TIMEOUT_S = 60
# A replica that is killed comes back by itself (bot.runtime.serve restarts it): after its delay and a model load.
COMEBACK_TIMEOUT_S = 240.0

POLICE = {
    "en": ("How many Norwegian police officers serve in UN missions?", "which missions are those?", "Source:"),
    "es": ("¿Cuántos policías noruegos sirven en misiones de la ONU?", "¿cuáles son esas misiones?", "Fuente:"),
}
# Twenty questions, each with words only its own answer contains, whatever was asked before.
QUESTIONS = {
    "MINUSMA": "MINUSMA, the UN mission in Mali",
    "UNMISS": "UNMISS, the UN mission in South Sudan",
    "UNTSO": "UNTSO, a UN mission in the Middle East",
    "UNFICYP": "UNFICYP, the UN mission in Cyprus",
    "MINUJUSTH": "MINUJUSTH, the UN mission in Haiti",
    "UNMC": "UNMC, the UN mission in Colombia",
    "MONUSCO": "MONUSCO, the UN mission in the Democratic Republic of the Congo",
    "OSCE": "in, and with, the OSCE",
    "Council of Europe": "in, and with, the Council of Europe",
    "EU": "in, and with, the EU",
    "NATO": "membership of NATO",
    "FARC": "peace agreement with the FARC-EP",
    "ELN": "with the ELN guerrilla group",
    "NDFP": "communist movement NDFP",
    "disarmament": "verifiable nuclear disarmament",
    "women peace and security": "proportion of women mediators",
    "security council": "seat on the UN Security Council",
    "How many Norwegian soldiers serve in UN missions?": "about 45 military personnel",
    "How many Norwegian police officers serve in UN missions?": "about 30 Norwegian police officers",
    "How many Norwegian civilians serve in UN missions?": "Norwegian civilian advisers worked for the UN mission",
}


@pytest.fixture(scope="module")
def stores() -> Iterator[tuple[str, str]]:
    """A fresh PostgreSQL database and a random Redis database for this module's conversations."""
    require(
        port_open("127.0.0.1", 5432) and port_open("127.0.0.1", 6379), "PostgreSQL and Redis",
        "start them, or run in CI",
    )
    with fresh_database() as database_url:
        yield database_url, random_redis_url()


@pytest.fixture(scope="module")
def cluster(stores: tuple[str, str]) -> Iterator[ServeCluster]:
    require_model()
    running = new_cluster("scale", *stores)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def ask(base_url: str, sender: str, text: str, metadata: Optional[dict] = None) -> list[str]:
    """The texts of the answer to one REST message."""
    body: dict = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    response = requests.post(f"{base_url}{WEBHOOK}", json=body, timeout=REQUEST_TIMEOUT_S)
    assert response.status_code == 200, response.text
    texts = [m.get("text", "") for m in response.json()]
    assert texts and all(texts), texts
    return texts


def turns(database_url: str, sender: str) -> list[tuple[str, str]]:
    """(user text, the bot's answer to it) as stored, one pair per user message.

    Rasa's REST channel sends a bot message's paragraphs as separate messages;
    the tracker keeps them as one event, hence the joins with blank lines.
    """
    pairs: list[tuple[str, list[str]]] = []
    # The REST channel files a sender's conversation as rest:<sender> (bot/channels/keys.py).
    for event in stored_events(database_url, conversation_key(REST, sender)):
        if event["event"] == "user":
            pairs.append((event["text"], []))
        else:
            assert pairs, f"a bot message before any user message: {event}"
            pairs[-1][1].append(event["text"])
    return [(text, "\n\n".join(answer)) for text, answer in pairs]


def joined(texts: list[str]) -> str:
    return "\n\n".join(texts)


# -- one conversation, two replicas ----------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "es"])
def test_two_replicas_serve_one_conversation(cluster: ServeCluster, lang: str) -> None:
    question, follow_up, source = POLICE[lang]
    first, second = cluster.replica_urls
    sender = uuid.uuid4().hex
    reply = joined(ask(first, sender, question))
    assert "30" in reply and source in reply
    # Only the tracker in PostgreSQL tells the other replica that the focus is the police.
    reply = joined(ask(second, sender, follow_up))
    assert "UNFICYP" in reply and source in reply
    assert "MINUSMA" not in reply


def test_socketio_through_the_front(cluster: ServeCluster) -> None:
    message = {"message": POLICE["es"][0], "session_id": uuid.uuid4().hex, "customData": {"locale": "es"}}
    replies = asyncio.run(
        asyncio.wait_for(
            _over_polling(cluster.url, message, lambda rs: any("Fuente:" in r.get("text", "") for r in rs)), 90
        )
    )
    assert any("30" in r.get("text", "") for r in replies), replies


# -- one sender, many messages at once -------------------------------------------------------------


def test_concurrent_messages_of_one_sender_are_answered_in_turn(cluster: ServeCluster, stores: tuple[str, str]) -> None:
    sender = uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=len(QUESTIONS)) as pool:
        futures = {text: pool.submit(ask, cluster.url, sender, text) for text in QUESTIONS}
        answers = {text: joined(future.result(timeout=180)) for text, future in futures.items()}
    for text, marker in QUESTIONS.items():
        assert marker in answers[text], (text, answers[text])
    stored = turns(stores[0], sender)
    assert sorted(text for text, _ in stored) == sorted(QUESTIONS)
    for text, answer in stored:
        # Each answer right after its own question, and nothing else there.
        assert QUESTIONS[text] in answer, (text, answer)
        assert answer == answers[text], (text, answer)


# -- a replica dies -----------------------------------------------------------------------------------


def test_a_killed_replica_costs_no_turn(cluster: ServeCluster, stores: tuple[str, str]) -> None:
    sender = uuid.uuid4().hex
    home = preference(sender, cluster.replica_urls)[0]
    sent: list[tuple[str, list[str]]] = []

    def say(text: str, base: str = cluster.url) -> str:
        answer = ask(base, sender, text)
        sent.append((text, answer))
        return joined(answer)

    assert "30" in say(POLICE["en"][0])
    cluster.kill_replica(home)
    reply = say("which missions are those?")
    assert "UNFICYP" in reply and "MINUSMA" not in reply
    assert "45" in say("and how many soldiers?")
    health = requests.get(f"{cluster.url}/health", timeout=10).json()
    assert health["replicas"][cluster.replica_urls.index(home)]["rasa"] == "down"
    assert health["status"] == "degraded"

    # bot.runtime.serve starts the dead replica again, and it carries on the conversation it never saw the end of.
    cluster.wait_until_healthy(COMEBACK_TIMEOUT_S)
    reply = say("which missions are those?", base=home)
    assert "MINUSMA" in reply and "UNTSO" in reply and "UNFICYP" not in reply

    # Every message stored once, each with exactly the one answer its sender got.
    assert turns(stores[0], sender) == [(text, joined(answer)) for text, answer in sent]


# -- everything restarts -----------------------------------------------------------------------------------


def test_a_restart_of_everything_loses_nothing(cluster: ServeCluster) -> None:
    spanish, english = uuid.uuid4().hex, uuid.uuid4().hex
    assert "Fuente:" in joined(ask(cluster.url, spanish, "MINUSMA", metadata={"locale": "es-ES"}))
    assert "30" in joined(ask(cluster.url, english, POLICE["en"][0]))

    cluster.restart()

    # A language-neutral message: only the stored conversation says "Spanish".
    assert "Fuente:" in joined(ask(cluster.url, spanish, "UNTSO"))
    # Only the stored focus says "police".
    reply = joined(ask(cluster.url, english, "which missions are those?"))
    assert all(m in reply for m in ("UNMISS", "UNFICYP", "MINUJUSTH", "UNMC")), reply
    assert "MINUSMA" not in reply and "Source:" in reply
