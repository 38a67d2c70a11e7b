"""The floors of the web front (bot/web/pipeline.py): one fixed order, and nothing below a floor that refused."""

from __future__ import annotations

import gzip
from typing import Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.runtime.settings import Settings
from bot.web.app import create_app
from bot.web.front import FRONT
from bot.web.pipeline import FLOORS
from tests.bot.web.conftest import ENGINE_SID, Upstream

WEBHOOK = "/webhooks/rest/webhook"
HI = {"sender": "s", "message": "hi"}


def test_the_floors_stand_in_one_fixed_order() -> None:
    app = create_app(Settings.from_env({}))
    names = [middleware.__name__ for middleware in app.middlewares]
    assert names == ["refusals", "check_origin", "no_encoded_bodies", "admission", "body_limits"]
    assert tuple(names) == FLOORS


async def counted(front: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the forwarding floor was asked to send on, as they are asked."""
    state = front.app[FRONT]
    forwarded: list[str] = []
    forward, forward_websocket = state.forward, state.forward_websocket

    async def counting(request: web.Request, *args: object, **kwargs: object) -> web.StreamResponse:
        forwarded.append(request.path)
        return await forward(request, *args, **kwargs)  # type: ignore[arg-type]

    async def counting_websocket(request: web.Request, *args: object) -> web.StreamResponse:
        forwarded.append(request.path)
        return await forward_websocket(request, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(state, "forward", counting)
    monkeypatch.setattr(state, "forward_websocket", counting_websocket)
    return forwarded


async def test_a_rate_limited_request_never_reaches_the_handler(
    make_front: Callable, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    front = await make_front(web_burst=2, web_rate_per_minute=1)
    forwarded = await counted(front, monkeypatch)
    statuses = [(await front.post(WEBHOOK, json=HI)).status for _ in range(4)]
    assert statuses == [200, 200, 429, 429]
    assert forwarded == [WEBHOOK, WEBHOOK]
    assert len(upstream.received) == 2


async def test_the_guard_charges_nothing_and_admission_comes_before_the_body(
    make_front: Callable, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    front = await make_front(web_burst=1, web_rate_per_minute=1, web_max_body_bytes=64)
    forwarded = await counted(front, monkeypatch)
    # Refused at the connection guard, above admission: no token taken.
    compressed = gzip.compress(b'{"sender": "s", "message": "hi"}')
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    assert (await front.post(WEBHOOK, data=compressed, headers=headers)).status == 415
    # Refused at the body floor, below admission: its token is spent.
    assert (await front.post(WEBHOOK, json={"sender": "s", "message": "x" * 100})).status == 413
    # So an empty bucket answers first, before the body is looked at.
    assert (await front.post(WEBHOOK, data=b"x" * 100, headers={"Content-Type": "text/plain"})).status == 429
    assert forwarded == [] and upstream.received == []


async def test_each_kind_of_socketio_request_is_charged_at_its_own_floor(
    make_front: Callable, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    front = await make_front(web_burst=1, web_rate_per_minute=1, web_background_burst=1)
    forwarded = await counted(front, monkeypatch)
    socketio = "/socket.io/?EIO=4&transport=polling"
    # A handshake is a visitor's: one, then 429 at admission.
    assert (await front.get(socketio)).status == 200
    assert (await front.get(socketio)).status == 429
    # A poll is background traffic: its own bucket.
    assert (await front.get(f"{socketio}&sid={ENGINE_SID}")).status == 200
    assert (await front.get(f"{socketio}&sid={ENGINE_SID}")).status == 429
    # A session id the server would never issue is refused before anything is charged or forwarded.
    assert (await front.get(f"{socketio}&sid=no%20such")).status == 400
    assert forwarded == ["/socket.io/", "/socket.io/"]
