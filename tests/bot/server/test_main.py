"""The fixes the Rasa server runs with: the cached check of action server replies accepts and rejects what Rasa's own does, action calls share connections, new conversations get the store's own trackers."""

from __future__ import annotations

import asyncio

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.server import main as rasa_main

GOOD = {
    "events": [{"event": "slot", "name": "focus", "value": "military", "timestamp": None}],
    "responses": [{"response": "utter_fact_answer", "answer": "About 45."}],
}
BAD = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [1, 2]},
]


def _original(result: dict) -> bool:
    from jsonschema import validate

    validate(result, RemoteAction.action_response_format_spec())
    return True


def test_accepts_a_good_reply() -> None:
    assert rasa_main._validate_action_result(None, GOOD) is True
    assert _original(GOOD)


@pytest.mark.parametrize("reply", BAD)
def test_rejects_what_rasa_rejects(reply: dict) -> None:
    with pytest.raises(ValidationError):
        _original(reply)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        rasa_main._validate_action_result(None, reply)


def test_action_calls_reuse_one_kept_alive_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setattr(EndpointConfig, "session", rasa_main._session)
    peers: list[tuple[str, int]] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": []})

    async def calls() -> list[dict]:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", token="secret")
            return [await endpoint.request(json={"next_action": "x"}) for _ in range(3)]
        finally:
            await rasa_main.close_connections()
            await runner.cleanup()

    assert asyncio.run(calls()) == [{"events": [], "responses": []}] * 3
    assert len(peers) == 3 and len(set(peers)) == 1


def test_a_new_conversation_is_held_in_the_stores_own_tracker(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered

    from bot.server.tracker_store import CachedSQLTrackerStore

    monkeypatch.setattr(FailSafeTrackerStore, "init_tracker", rasa_main._init_tracker)
    store = CachedSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "conversations.db"))
    # As Rasa's agent wraps every tracker store.
    wrapped = FailSafeTrackerStore(store)

    async def first_turn():
        tracker = await wrapped.get_or_create_tracker("visitor")
        tracker.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}))
        tracker.update(ActionExecuted("utter_greet"))
        await wrapped.save(tracker)
        return tracker

    tracker = asyncio.run(first_turn())
    # The tracker Rasa turned is the one the store keeps, with every event stored once.
    assert store.cache.get("visitor") is tracker and tracker.is_saved()
    with store.session_scope() as session:
        assert session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == "visitor").count() == 3
