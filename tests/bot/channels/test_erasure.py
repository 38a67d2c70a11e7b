"""The privacy channel (bot/channels/erasure.py): who may delete which conversation, and the hourly retention against a real SQL tracker store."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import erasure, keys
from bot.runtime.settings import Settings

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


SECRETS = Settings(action_token="an action secret", rest_shared_secret="a back end's secret")


@pytest.mark.parametrize("namespace", keys.TOKEN_NAMESPACES)
def test_a_token_proves_its_own_conversation(namespace: str) -> None:
    token_key = keys.token_key(SECRETS.action_token)
    assert token_key is not None
    conversation = keys.conversation_key(namespace, "0123abcd")
    assert erasure._proven(keys.token(token_key, conversation), "", SECRETS) == conversation


@pytest.mark.parametrize("given", ["0123abcd", "rest:0123abcd", "telegram:42", "42"])
def test_a_bare_id_proves_nothing_without_the_back_ends_secret(given: str) -> None:
    assert erasure._proven(given, "", SECRETS) is None
    assert erasure._proven(given, "not the secret", SECRETS) is None
    # With no secret configured, an empty header is no proof either.
    assert erasure._proven(given, "", Settings(action_token="an action secret")) is None


def test_a_trusted_back_end_names_its_rest_sender() -> None:
    # Its ids are REST's: even "telegram:42" is rest:telegram:42, never the Telegram chat.
    for given in ("user-17", "telegram:42"):
        assert erasure._proven(given, SECRETS.rest_shared_secret, SECRETS) == f"rest:{given}"
