"""Conversations in SQL, with a bounded in-memory cache in front: a turn costs the same at turn 200 as at turn 2.

Rasa's ``SQLTrackerStore`` reads and replays every event of the session on
every turn, counts them all again to find the new ones when it saves, and
hands the policies, the action server and every copy of the tracker the
whole session (docs/performance.md). Here each Rasa replica keeps its
conversations' trackers in an LRU cache of ``cache_size`` conversations:

- a turn checks, with one indexed query, that no other replica has written to
  the conversation since (failover and failback), and otherwise uses the
  cached tracker; a cold, stale or evicted conversation is read from SQL;
- a save appends only the events the turn added;
- a tracker keeps its last ``window_turns`` user turns: older ones are folded
  into a prefix shaped like a session start that sets the slots they left
  (the stored conversation keeps everything). Rasa reads a tracker from its
  latest session start (``applied_events``), so what the policies featurise,
  what each copy replays and what an action call carries stay bounded.

A conversation read from SQL costs O(recent turns), not O(its whole history):
once a tracker has folded turns, a save writes it as it stands (a prefix and
the last ``window_turns`` turns) to ``conversation_snapshots``, with the id of
the newest event it covers, again whenever SNAPSHOT_EVERY_EVENTS more are
stored. A cache miss reads that snapshot and the events stored after it (a few
turns at most), so a conversation of 3,000 turns costs what one of ten does. Without a snapshot (a short conversation, or one stored before
snapshots) the session is read and replayed whole, as before.

A conversation holds at most ``max_events`` events (CONVERSATION_MAX_EVENTS):
past that, its turns are not stored, and the channel tells the visitor the
conversation is full (``bot.server.turn``). Nor is a turn stored whose custom
action failed because the action server could not be reached: the channel
answers "temporarily unavailable" and the conversation stays as it was.

SQLite runs in WAL mode with ``synchronous=NORMAL`` on one kept connection.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import Any, Iterable, Optional, Sequence

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server import turn as turns

logger = logging.getLogger(__name__)

# An index that answers "the newest stored event of this sender" without reading the others.
_LATEST_INDEX = "ix_events_sender_id_id"
# SQLAlchemy Core, not the ORM: on SQLite the ORM query costs 1.6 ms, this 0.13 ms.
_LATEST = sa.text("SELECT id FROM events WHERE sender_id = :sender_id ORDER BY id DESC LIMIT 1")
_COUNT = sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :sender_id")
_STORED = sa.text("SELECT 1 FROM events WHERE id = :id AND sender_id = :sender_id")
_AFTER = sa.text("SELECT id, data FROM events WHERE sender_id = :sender_id AND id > :id ORDER BY id")
# One row per conversation that has folded turns: the tracker as the cache holds it.
_SNAPSHOTS = "conversation_snapshots"
_CREATE_SNAPSHOTS = sa.text(
    f"CREATE TABLE IF NOT EXISTS {_SNAPSHOTS} "
    "(sender_id VARCHAR(255) PRIMARY KEY, last_id INTEGER NOT NULL, event_count INTEGER NOT NULL, events TEXT NOT NULL)"
)
_READ_SNAPSHOT = sa.text(f"SELECT last_id, event_count, events FROM {_SNAPSHOTS} WHERE sender_id = :sender_id")
# The same statement on SQLite (3.24+) and PostgreSQL.
_WRITE_SNAPSHOT = sa.text(
    f"INSERT INTO {_SNAPSHOTS} (sender_id, last_id, event_count, events) "
    "VALUES (:sender_id, :last_id, :event_count, :events) ON CONFLICT (sender_id) DO UPDATE SET "
    "last_id = excluded.last_id, event_count = excluded.event_count, events = excluded.events"
)
_DELETE_SNAPSHOT = sa.text(f"DELETE FROM {_SNAPSHOTS} WHERE sender_id = :sender_id")
# Events stored between two snapshots of a conversation (about five turns): a
# snapshot costs about as much to write as a save, and a read replays at most these after it.
SNAPSHOT_EVERY_EVENTS = 50
# The NLU's language entity on each message (bot/nlu/components.py).
LANGUAGE_ENTITY = "language"


class StoredTracker(DialogueStateTracker):
    """A tracker that knows how many of its events are stored, and the newest stored row's id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored = 0
        self.last_id: Optional[int] = None
        # Every event stored for the conversation, folded or not, and how many were when its snapshot was written.
        self.total = 0
        self.snapshot_total = 0

    def is_saved(self) -> bool:
        """No event added since it was read or saved."""
        return self.stored == len(self.events)


class TrackerCache:
    """The most recently used trackers, at most ``size`` of them."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._trackers: OrderedDict[str, StoredTracker] = OrderedDict()

    def get(self, sender_id: str) -> Optional[StoredTracker]:
        tracker = self._trackers.get(sender_id)
        if tracker is not None:
            self._trackers.move_to_end(sender_id)
        return tracker

    def put(self, tracker: StoredTracker) -> None:
        if self.size < 1:
            return
        self._trackers[tracker.sender_id] = tracker
        self._trackers.move_to_end(tracker.sender_id)
        while len(self._trackers) > self.size:
            self._trackers.popitem(last=False)

    def drop(self, sender_id: str) -> None:
        self._trackers.pop(sender_id, None)

    def __len__(self) -> int:
        return len(self._trackers)


def turn_starts(events: Sequence[Event]) -> list[int]:
    """Indices of the user messages that open a turn (each right after ``action_listen``)."""
    return [
        i for i in range(1, len(events))
        if isinstance(events[i], UserUttered) and _is_listen(events[i - 1])
    ]


def _is_listen(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME


def compact(tracker: DialogueStateTracker, window_turns: int) -> bool:
    """Folds all but the last ``window_turns`` turns into a session-start prefix.

    Every turn past the window is folded at once, so a tracker always holds
    the same number of turns: what a turn costs no longer rises and falls
    with how many turns the tracker holds (folding one turn replays only it
    and the prefix). The tracker's state is left as it is: replaying the new
    events gives the same slots, loop and latest message. Returns whether
    anything was folded.
    """
    events = list(tracker.events)
    starts = turn_starts(events)
    if window_turns < 1 or len(starts) <= window_turns:
        return False
    cut = starts[-window_turns]
    tracker.events = tracker._create_events(state_prefix(tracker, events[:cut]) + events[cut:])
    return True


def state_prefix(tracker: DialogueStateTracker, head: Sequence[Event]) -> list[Event]:
    """Events that, from nothing, reach the state ``head`` leaves: a session start with its slots."""
    before = tracker.init_copy()
    for event in head:
        before.update(event)
    at = head[-1].timestamp
    prefix: list[Event] = [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=at), SessionStarted(timestamp=at)]
    prefix += [
        SlotSet(slot.name, slot.value, timestamp=at)
        for slot in before.slots.values()
        if slot.value != slot.initial_value
    ]
    if before.active_loop_name:
        prefix.append(ActiveLoop(before.active_loop_name, timestamp=at))
    if before.is_paused():
        prefix.append(ConversationPaused(timestamp=at))
    prefix.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=at))
    return prefix


class CachedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with an LRU tracker cache, append-only saves and bounded trackers."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        cache_size: int = 1000,
        window_turns: int = 5,
        max_events: int = 10_000,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, **kwargs)
        self.cache = TrackerCache(int(cache_size))
        self.window_turns = int(window_turns)
        self.max_events = int(max_events)
        if self.engine.dialect.name == "sqlite":
            self._keep_one_sqlite_connection()
        self._create_latest_index()
        with self.engine.begin() as connection:
            connection.execute(_CREATE_SNAPSHOTS)

    def _keep_one_sqlite_connection(self) -> None:
        # SQLAlchemy 1.4 opens a new SQLite connection for every session (NullPool);
        # Rasa uses the store from its event loop's thread only.
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=sa.pool.SingletonThreadPool)
        sa.event.listen(self.engine, "connect", _tune_sqlite)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _create_latest_index(self) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {_LATEST_INDEX} ON events (sender_id, id)"))
        except sa.exc.DBAPIError as error:
            # Replicas starting together may race to create it; one of them does.
            logger.warning(f"Could not create index {_LATEST_INDEX}: {error}")

    def init_tracker(self, sender_id: str) -> StoredTracker:
        return StoredTracker(sender_id, self.domain.slots, max_event_history=self.max_event_history)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The cached tracker if it is saved and nothing newer is stored; else the conversation read from SQL.

        A conversation at its size limit is still returned; the turn is marked
        full, so that it is not stored and the visitor is told.
        """
        latest = self._latest_id(sender_id)
        cached = self.cache.get(sender_id)
        if cached is None or not cached.is_saved() or cached.last_id != latest:
            self.cache.drop(sender_id)
            cached = None if latest is None else self._read(sender_id)
        turn = turns.current()
        if cached is not None and turn is not None and cached.total >= self.max_events:
            turn.fail(turns.FULL)
        return cached

    def forget_cached(self, senders: Iterable[str]) -> None:
        """Drops what is kept of deleted conversations besides their events: cached trackers and snapshots."""
        senders = list(senders)
        with self.engine.begin() as connection:
            for sender in senders:
                connection.execute(_DELETE_SNAPSHOT, {"sender_id": sender})
        for sender in senders:
            self.cache.drop(sender)

    def _latest_id(self, sender_id: str) -> Optional[int]:
        with self.engine.connect() as connection:
            return connection.execute(_LATEST, {"sender_id": sender_id}).scalar()

    def _read(self, sender_id: str) -> Optional[StoredTracker]:
        return self._read_snapshot(sender_id) or self._read_session(sender_id)

    def _read_session(self, sender_id: str) -> Optional[StoredTracker]:
        """The latest session, every event of it replayed: O(the session's length)."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
        if not rows:
            return None
        tracker = StoredTracker.from_dict(sender_id, [json.loads(row.data) for row in rows], self.domain.slots)
        tracker.last_id = rows[-1].id
        with self.engine.connect() as connection:
            tracker.total = connection.execute(_COUNT, {"sender_id": sender_id}).scalar() or 0
        self._keep(tracker)
        return tracker

    def _read_snapshot(self, sender_id: str) -> Optional[StoredTracker]:
        """The snapshot and the events stored after it: O(recent turns). None without a usable snapshot."""
        with self.engine.connect() as connection:
            snapshot = connection.execute(_READ_SNAPSHOT, {"sender_id": sender_id}).first()
            if snapshot is None:
                return None
            if connection.execute(_STORED, {"id": snapshot.last_id, "sender_id": sender_id}).first() is None:
                # Its events were deleted (a conversation cleared, then begun again): it describes nothing stored.
                newer = None
            else:
                newer = connection.execute(_AFTER, {"sender_id": sender_id, "id": snapshot.last_id}).all()
        if newer is None:
            self.forget_cached([sender_id])
            return None
        later = [json.loads(row.data) for row in newer]
        tracker = StoredTracker.from_dict(sender_id, json.loads(snapshot.events) + later, self.domain.slots)
        tracker.last_id = newer[-1].id if newer else snapshot.last_id
        tracker.total = snapshot.event_count + len(newer)
        tracker.snapshot_total = snapshot.event_count
        if any(event.get("event") == SessionStarted.type_name for event in later):
            latest_session(tracker)
        self._keep(tracker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Appends the events the tracker gained since it was read or saved (none of a turn that failed or is full)."""
        turn = turns.current()
        if turn is not None and turn.problem is not None:
            turn.language = message_language(tracker)
            # The cached tracker holds the turn's events: the next turn reads the stored conversation.
            self.cache.drop(tracker.sender_id)
            return
        new = list(self._unsaved(tracker))
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new, tracker.sender_id)
        stored = tracker if isinstance(tracker, StoredTracker) else self._adopt(tracker)
        last_id = self._append(tracker.sender_id, new)
        stored.total += len(new)
        if last_id is not None:
            stored.last_id = last_id
        if any(isinstance(event, SessionStarted) for event in new):
            latest_session(stored)
        folded = self._keep(stored)
        if folded and last_id is not None and stored.total - stored.snapshot_total >= SNAPSHOT_EVERY_EVENTS:
            self._write_snapshot(stored)

    def _adopt(self, tracker: DialogueStateTracker) -> StoredTracker:
        """A cacheable copy of a tracker Rasa created (a new conversation: a few events to replay)."""
        adopted = StoredTracker.from_events(tracker.sender_id, list(tracker.events), self.domain.slots)
        with self.engine.connect() as connection:
            # What was stored before this save's events (none for a new conversation, which this mostly is).
            adopted.total = connection.execute(_COUNT, {"sender_id": tracker.sender_id}).scalar() or 0
        return adopted

    def _write_snapshot(self, tracker: StoredTracker) -> None:
        row = {
            "sender_id": tracker.sender_id,
            "last_id": tracker.last_id,
            "event_count": tracker.total,
            "events": json.dumps([event.as_dict() for event in tracker.events]),
        }
        with self.engine.begin() as connection:
            connection.execute(_WRITE_SNAPSHOT, row)
        tracker.snapshot_total = tracker.total

    def _unsaved(self, tracker: DialogueStateTracker) -> Iterable[Event]:
        if isinstance(tracker, StoredTracker):
            return list(tracker.events)[tracker.stored:]
        # A tracker Rasa created (its FailSafeTrackerStore's create_tracker): count what is stored, as Rasa does.
        with self.session_scope() as session:
            return list(self._additional_events(session, tracker))

    def _append(self, sender_id: str, events: Iterable[Event]) -> Optional[int]:
        """Inserts the events in one transaction; the id of the last one (None when there were none)."""
        rows = [_row(sender_id, event) for event in events]
        if not rows:
            return None
        with self.engine.begin() as connection:
            connection.execute(self.SQLEvent.__table__.insert(), rows)
            # One sender's turns never overlap (the lock store), so this is the last row just written.
            return connection.execute(_LATEST, {"sender_id": sender_id}).scalar()

    def _keep(self, tracker: StoredTracker) -> bool:
        """Bounds the tracker, marks all its events stored and caches it; whether turns were folded."""
        folded = compact(tracker, self.window_turns)
        tracker.stored = len(tracker.events)
        self.cache.put(tracker)
        return folded


def latest_session(tracker: DialogueStateTracker) -> None:
    """Keeps the events of the latest session only: what Rasa's SQL store reads back (timestamp ≥ its start)."""
    started = next(e.timestamp for e in reversed(tracker.events) if isinstance(e, SessionStarted))
    tracker.events = tracker._create_events([e for e in tracker.events if e.timestamp >= started])


def message_language(tracker: DialogueStateTracker) -> Optional[str]:
    """The language the latest message was read in (the NLU's ``language`` entity), else the conversation's."""
    message = tracker.latest_message
    entities = message.entities if message is not None else []
    found = next((e.get("value") for e in entities if e.get("entity") == LANGUAGE_ENTITY), None)
    return found if isinstance(found, str) else tracker.get_slot(LANGUAGE_ENTITY)


def _row(sender_id: str, event: Event) -> dict[str, Any]:
    """The columns of Rasa's ``events`` table for one event."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _tune_sqlite(connection: Any, _record: Any) -> None:
    # WAL: readers never wait for the writer. NORMAL: no fsync per commit; a power
    # cut may lose the last turns but never corrupts the file.
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()

