"""What is kept of a conversation, and for how long.

Conversations live in Rasa's SQL tracker store (SQLite or PostgreSQL), one
row per event. A conversation whose last event is older than
CONVERSATION_RETENTION_DAYS is deleted whole: by the running Rasa server
every hour (bot.channels.erasure.PrivacyInput), and by ``make purge``
(``python -m bot.runtime.privacy``). A visitor's "clear conversation" deletes theirs
at once. On SQLite the deleted rows are overwritten (``secure_delete``), so
they cannot be read back from the file.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any, Iterable, Optional, Sequence

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore

from bot.runtime.settings import ConfigError, Settings
from bot.server.tracker_store import CachedSQLTrackerStore

DAY_S = 86_400
# Senders deleted per statement: SQLite allows at most 999 bound parameters in older builds.
BATCH = 500
Event = SQLTrackerStore.SQLEvent


def cutoff(days: int, now: Optional[float] = None) -> float:
    """The timestamp before which a conversation's last event makes it expire."""
    return (time.time() if now is None else now) - days * DAY_S


def sql_store(store: TrackerStore) -> Optional[SQLTrackerStore]:
    """The SQL store under Rasa's wrappers (AwaitableTrackerStore, caches), if there is one."""
    while store is not None and not isinstance(store, SQLTrackerStore):
        store = getattr(store, "_tracker_store", None)
    return store


def expired_senders(store: SQLTrackerStore, before: float) -> list[str]:
    """Senders whose last event is older than ``before``."""
    with store.session_scope() as session:
        query = session.query(Event.sender_id).group_by(Event.sender_id).having(sa.func.max(Event.timestamp) < before)
        return [sender for (sender,) in query]


def delete_conversations(store: SQLTrackerStore, senders: Iterable[str], before: Optional[float] = None) -> int:
    """Deletes every event of ``senders``; with ``before``, only of those still idle since then. Returns rows."""
    senders = list(senders)
    deleted = 0
    with store.session_scope() as session:
        sqlite = session.bind.dialect.name == "sqlite"
        if sqlite:
            # Deleted rows are zeroed in the file instead of lingering in free pages.
            session.execute(sa.text("PRAGMA secure_delete = ON"))
        for start in range(0, len(senders), BATCH):
            condition = Event.sender_id.in_(senders[start:start + BATCH])
            if before is not None:
                # Checked again in the same statement: a conversation that just went on is kept.
                idle = sa.select(Event.sender_id).group_by(Event.sender_id).having(sa.func.max(Event.timestamp) < before)
                condition = sa.and_(condition, Event.sender_id.in_(idle.scalar_subquery()))
            statement = sa.delete(Event).where(condition).execution_options(synchronize_session=False)
            deleted += session.execute(statement).rowcount
        session.commit()
        if sqlite:
            # In WAL mode the old pages also sit in the -wal file until a checkpoint copies the zeroed ones back.
            session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    if isinstance(store, CachedSQLTrackerStore):
        # A cached tracker would otherwise outlive its rows, and its next save append to nothing;
        # a snapshot would keep what the visitor wrote.
        store.forget_cached(senders)
    return deleted


def purge(store: SQLTrackerStore, days: int, now: Optional[float] = None) -> list[str]:
    """Deletes the conversations idle for more than ``days``; returns their senders."""
    before = cutoff(days, now)
    senders = expired_senders(store, before)
    if senders:
        delete_conversations(store, senders, before)
    return senders


def open_store(settings: Settings) -> SQLTrackerStore:
    """The tracker store `make run` uses (bot.runtime.endpoints), with the same settings and SQLite tuning."""
    from bot.runtime.endpoints import cached_tracker_store

    if not settings.database_url:
        settings.runtime_dir.mkdir(mode=0o700, exist_ok=True)
    config: dict[str, Any] = dict(cached_tracker_store(settings))
    config.pop("type")
    return CachedSQLTrackerStore(host=config.pop("url", None), **config)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.runtime.privacy", description="Delete expired conversations.")
    parser.add_argument("--days", type=int, help="retention in days (default: CONVERSATION_RETENTION_DAYS)")
    args = parser.parse_args(argv)
    os.umask(0o077)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        raise SystemExit(f"error: {error}") from None
    days = settings.conversation_retention_days if args.days is None else args.days
    if days < 1:
        raise SystemExit(f"error: --days must be at least 1, not {days}")
    senders = purge(open_store(settings), days)
    print(f"Deleted {len(senders)} conversation(s) idle for more than {days} day(s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
