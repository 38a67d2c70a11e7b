"""The cached SQL tracker store: conversations kept whole in SQL, bounded in memory, never served stale."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.runtime.endpoints import tracker_store
from bot.runtime.settings import Settings
from bot.server import turn as turns
from bot.server.tracker_store import (
    SNAPSHOT_EVERY_EVENTS, CachedSQLTrackerStore, StoredTracker, TrackerCache, compact, turn_starts,
)
from tests.conftest import LANGS, ROOT, port_open, require

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
FOCUS = {"en": "police", "es": "military", "nb": "civilian"}


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


@pytest.mark.parametrize("lang", LANGS)
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


@pytest.mark.parametrize("lang", LANGS)
def test_a_restarted_replica_reads_the_conversation_from_sql(where: dict[str, Any], lang: str) -> None:
    sender = uuid.uuid4().hex
    converse(store(where, window_turns=3), sender, lang, turns=20)
    restarted = run(store(where, window_turns=3).retrieve(sender))
    assert restarted.get_slot("language") == lang
    assert restarted.get_slot("focus") == f"{FOCUS[lang]}-19"


@pytest.mark.parametrize("lang", LANGS)
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


def snapshots(db: CachedSQLTrackerStore, sender: str) -> int:
    with db.engine.connect() as connection:
        query = sa.text("SELECT count(*) FROM conversation_snapshots WHERE sender_id = :s")
        return connection.execute(query, {"s": sender}).scalar()


@pytest.mark.parametrize("lang", LANGS)
def test_a_cache_miss_reads_the_recent_turns_not_the_whole_history(where: dict[str, Any], lang: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    sender = uuid.uuid4().hex
    converse(store(where, window_turns=5), sender, lang, turns=120)
    restarted = store(where, window_turns=5)
    read: list[int] = []
    # Count the events each read replays: the snapshot's and any stored after it, never the 723 stored.
    original = StoredTracker.from_dict
    monkeypatch.setattr(StoredTracker, "from_dict", lambda *a, **k: read.append(len(a[2])) or original(*a, **k))
    tracker = run(restarted.retrieve(sender))
    assert read and max(read) < 3 + 6 * 6 + 10 + SNAPSHOT_EVERY_EVENTS
    assert tracker.get_slot("language") == lang and tracker.get_slot("focus") == f"{FOCUS[lang]}-119"
    assert tracker.total == stored_count(restarted, sender) == 3 + 6 * 120


@pytest.mark.parametrize("lang", LANGS)
def test_events_stored_after_the_snapshot_are_read_too(tmp_path: Path, lang: str) -> None:
    where = sqlite_at(tmp_path / "conversations.db")
    sender = uuid.uuid4().hex
    db = store(where)
    converse(db, sender, lang, turns=12)
    # A turn appended without its snapshot: a crash between the two writes.
    later = DialogueStateTracker.from_events(sender, [], DOMAIN.slots)
    one_turn(later, lang, 50)
    db._append(sender, list(later.events))
    tracker = run(store(where).retrieve(sender))
    assert tracker.get_slot("focus") == f"{FOCUS[lang]}-50" and tracker.total == 3 + 6 * 13


def test_a_deleted_conversation_leaves_no_snapshot_behind(tmp_path: Path) -> None:
    from bot.runtime.privacy import delete_conversations

    db = store(sqlite_at(tmp_path / "conversations.db"))
    sender = uuid.uuid4().hex
    converse(db, sender, "es", turns=12)
    assert snapshots(db, sender) == 1
    delete_conversations(db, [sender])
    assert snapshots(db, sender) == 0
    # Begun again under the same key: nothing of the old one comes back.
    tracker = converse(store(sqlite_at(tmp_path / "conversations.db")), sender, "en", turns=1)
    assert tracker.get_slot("focus") == "police-0" and tracker.total == 3 + 6


@pytest.mark.parametrize("lang", LANGS)
def test_a_full_conversation_takes_no_more_events(tmp_path: Path, lang: str) -> None:
    db = store(sqlite_at(tmp_path / "conversations.db"), max_events=3 + 6 * 3)
    sender = uuid.uuid4().hex
    converse(db, sender, lang, turns=3)

    async def one_more() -> turns.Turn:
        current = turns.begin()
        tracker = await db.retrieve(sender)
        one_turn(tracker, lang, 3)
        await db.save(tracker)
        return current

    current = run(one_more())
    assert current.problem == turns.FULL and current.language == lang
    assert stored_count(db, sender) == 3 + 6 * 3
    assert run(db.retrieve(sender)).get_slot("focus") == f"{FOCUS[lang]}-2"


@pytest.mark.parametrize("lang", LANGS)
def test_a_turn_the_action_server_missed_is_not_stored(tmp_path: Path, lang: str) -> None:
    db = store(sqlite_at(tmp_path / "conversations.db"))
    sender = uuid.uuid4().hex
    converse(db, sender, lang, turns=2)

    async def failed() -> turns.Turn:
        current = turns.begin()
        tracker = await db.retrieve(sender)
        current.fail(turns.UNAVAILABLE)
        one_turn(tracker, lang, 9)
        await db.save(tracker)
        return current

    assert run(failed()).problem == turns.UNAVAILABLE
    assert stored_count(db, sender) == 3 + 6 * 2
    # The next turn starts from the conversation as it was stored.
    assert run(db.retrieve(sender)).get_slot("focus") == f"{FOCUS[lang]}-1"
