"""The cached SQL tracker store: conversations kept whole in SQL, bounded in memory, never served stale."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.runtime.endpoints import tracker_store
from bot.runtime.settings import Settings
from bot.server.tracker_store import CachedSQLTrackerStore, TrackerCache, compact, turn_starts
from tests.conftest import ROOT, port_open, require

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
FOCUS = {"en": "police", "es": "military"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Where a test's conversations go: a fresh SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield {"dialect": "sqlite", "db": str(tmp_path / "conversations.db")}
        return
    require(port_open("127.0.0.1", 5432), "PostgreSQL", "start it, or run in CI")
    from tests.scale.cluster import fresh_database

    with fresh_database() as url:
        connection = tracker_store(Settings(database_url=url))
        del connection["type"]
        yield {**connection, "host": connection.pop("url")}


def store(where: dict[str, Any], **options: Any) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(DOMAIN, **where, **options)


def sqlite_at(path: Path) -> dict[str, Any]:
    return {"dialect": "sqlite", "db": str(path)}


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def start_session(tracker: DialogueStateTracker) -> None:
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)


def one_turn(tracker: DialogueStateTracker, lang: str, number: int) -> None:
    """A question, an answer that sets the language and the focus, then listening."""
    tracker.update(UserUttered(f"question {number}", {"name": "ask_deployments", "confidence": 0.9}))
    tracker.update(ActionExecuted("action_answer_deployments"))
    tracker.update(SlotSet("language", lang))
    tracker.update(SlotSet("focus", f"{FOCUS[lang]}-{number}"))
    tracker.update(BotUttered(f"answer {number}"))
    tracker.update(ActionExecuted("action_listen"))


def converse(db: CachedSQLTrackerStore, sender: str, lang: str, turns: int) -> DialogueStateTracker:
    """``turns`` turns, each read from the store and saved to it, as Rasa does."""
    tracker = run(db.get_or_create_tracker(sender, append_action_listen=False))
    start_session(tracker)
    run(db.save(tracker))
    for number in range(turns):
        tracker = run(db.retrieve(sender))
        one_turn(tracker, lang, number)
        run(db.save(tracker))
    return run(db.retrieve(sender))


def stored_count(db: CachedSQLTrackerStore, sender: str) -> int:
    with db.session_scope() as session:
        return session.query(db.SQLEvent).filter(db.SQLEvent.sender_id == sender).count()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_long_conversation_is_stored_whole_but_held_bounded(where: dict[str, Any], lang: str) -> None:
    db = store(where, window_turns=5)
    sender = uuid.uuid4().hex
    tracker = converse(db, sender, lang, turns=60)
    # Every event once in SQL: 3 for the session start, 6 a turn.
    assert stored_count(db, sender) == 3 + 6 * 60
    # In memory: the last 5 turns, and the state of the whole conversation.
    assert len(turn_starts(list(tracker.events))) == 5
    assert tracker.get_slot("language") == lang
    assert tracker.get_slot("focus") == f"{FOCUS[lang]}-59"
    assert tracker.latest_message.text == "question 59"
    # What Rasa hands the policies starts at the folded prefix.
    assert len(tracker.applied_events()) < 3 + 6 * 5 + 6


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_restarted_replica_reads_the_conversation_from_sql(where: dict[str, Any], lang: str) -> None:
    sender = uuid.uuid4().hex
    converse(store(where, window_turns=3), sender, lang, turns=20)
    restarted = run(store(where, window_turns=3).retrieve(sender))
    assert restarted.get_slot("language") == lang
    assert restarted.get_slot("focus") == f"{FOCUS[lang]}-19"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_turn_another_replica_stored_is_never_missed(where: dict[str, Any], lang: str) -> None:
    home, other = store(where), store(where)
    sender = uuid.uuid4().hex
    converse(home, sender, lang, turns=2)
    # Failover: the other replica answers a turn; then the sender is back home.
    elsewhere = run(other.retrieve(sender))
    one_turn(elsewhere, lang, 99)
    run(other.save(elsewhere))
    back = run(home.retrieve(sender))
    assert back.get_slot("focus") == f"{FOCUS[lang]}-99"
    one_turn(back, lang, 100)
    run(home.save(back))
    assert stored_count(home, sender) == 3 + 6 * 4


def test_a_turn_that_was_never_saved_is_not_served(tmp_path: Path) -> None:
    db = store(sqlite_at(tmp_path / "conversations.db"))
    sender = uuid.uuid4().hex
    tracker = converse(db, sender, "en", turns=1)
    one_turn(tracker, "es", 7)  # a turn that failed before its save
    assert run(db.retrieve(sender)).get_slot("language") == "en"


def test_the_cache_holds_at_most_its_size(tmp_path: Path) -> None:
    db = store(sqlite_at(tmp_path / "conversations.db"), cache_size=2)
    senders = [uuid.uuid4().hex for _ in range(3)]
    for sender in senders:
        converse(db, sender, "en", turns=2)
    assert len(db.cache) == 2
    assert db.cache.get(senders[0]) is None
    # The evicted conversation is still there.
    assert run(db.retrieve(senders[0])).get_slot("focus") == "police-1"


def test_lru_keeps_the_most_recently_used() -> None:
    cache = TrackerCache(2)
    trackers = [DialogueStateTracker(name, []) for name in "abc"]
    cache.put(trackers[0])
    cache.put(trackers[1])
    cache.get("a")
    cache.put(trackers[2])
    assert cache.get("b") is None and cache.get("a") is trackers[0]


def test_folding_keeps_state_and_timestamps_in_order() -> None:
    tracker = DialogueStateTracker.from_events("s", [], DOMAIN.slots)
    start_session(tracker)
    for number in range(8):
        one_turn(tracker, "es", number)
    before = tracker.current_slot_values()
    assert compact(tracker, window_turns=4)
    events = list(tracker.events)
    assert len(turn_starts(events)) == 4
    assert tracker.current_slot_values() == before
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)
    # Replaying what is left reaches the same state.
    assert tracker.copy().current_slot_values() == before
    assert not compact(tracker, window_turns=4)


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    database = tmp_path / "conversations.db"
    converse(store(sqlite_at(database)), uuid.uuid4().hex, "en", turns=1)
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_tracker_rasa_created_is_saved_whole_and_then_cached(tmp_path: Path) -> None:
    db = store(sqlite_at(tmp_path / "conversations.db"))
    sender = uuid.uuid4().hex
    # Rasa's FailSafeTrackerStore creates plain trackers for new conversations.
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    run(db.save(tracker))
    start_session(tracker)
    one_turn(tracker, "es", 1)
    run(db.save(tracker))
    assert stored_count(db, sender) == 3 + 6
    cached = run(db.retrieve(sender))
    assert cached is db.cache.get(sender) and cached.get_slot("language") == "es"
