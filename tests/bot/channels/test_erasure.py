"""The privacy channel's hourly retention (bot/channels/erasure.py), against a real SQL tracker store."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import erasure

DAY_S = 86_400


class RetentionStopped(Exception):
    """Ends the otherwise endless retention loop after the rounds a test wants."""


def _rounds(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == count:
            raise RetentionStopped()

    monkeypatch.setattr(erasure.asyncio, "sleep", sleep)


async def test_expired_conversations_are_deleted_and_recent_ones_kept(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "conversations.db"))
    for sender, days in (("expired", 31), ("recent", 1)):
        event = UserUttered("hola", timestamp=time.time() - days * DAY_S)
        await store.save(DialogueStateTracker.from_events(sender, [event]))
    _rounds(monkeypatch, 1)
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))

    with pytest.raises(RetentionStopped):
        await erasure._retention(app, 30)

    assert set(await store.keys()) == {"recent"}


async def test_retention_carries_on_after_a_failed_round(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _rounds(monkeypatch, 2)
    # Not an SQL store: each round fails and is logged, and the next one still comes (the second sleep ends it).
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=InMemoryTrackerStore(Domain.empty()))))

    with pytest.raises(RetentionStopped):
        await erasure._retention(app, 30)
