"""The front in front of several Rasa replicas (stand-ins): sticky senders, failover, one message at a time."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field, replace
from typing import AsyncIterator, Optional

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.runtime.settings import Settings
from bot.web.replicas import preference
from bot.web.app import create_app
from bot.web.balance import SenderLocks, SocketSessions, Upstreams, platform_key
from tests.servers import consecutive_free_ports
from tests.bot.web.conftest import _actions_app

WEBHOOK = "/webhooks/rest/webhook"
REPLICAS = 3


@dataclass
class Replica:
    """A stand-in Rasa server that says which replica it is and records what reached it."""

    index: int
    # Senders being handled right now, by any replica: shared by the whole cluster.
    busy: dict[str, int]
    delay: float = 0.0
    received: list[dict] = field(default_factory=list)
    overlaps: int = 0
    server: Optional[TestServer] = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self.root)
        app.router.add_post(WEBHOOK, self.rest)
        app.router.add_route("*", "/webhooks/{channel}/{tail:.*}", self.other)
        app.router.add_route("*", "/socket.io/", self.socketio)
        return app

    async def root(self, _: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    async def rest(self, request: web.Request) -> web.Response:
        body = await request.json()
        sender = body["sender"]
        # Two replicas (or two requests) handling one sender at once is what the front must prevent.
        self.overlaps += self.busy.get(sender, 0) > 0
        self.busy[sender] = self.busy.get(sender, 0) + 1
        try:
            await asyncio.sleep(self.delay)
            self.received.append(body)
        finally:
            self.busy[sender] -= 1
            if not self.busy[sender]:
                del self.busy[sender]
        return web.json_response([{"recipient_id": sender, "text": f"{self.index}:{body['message']}"}])

    async def other(self, request: web.Request) -> web.Response:
        self.received.append({"channel": request.match_info["channel"], "raw": await request.read()})
        return web.Response(text=f"replica {self.index}")

    async def socketio(self, request: web.Request) -> web.Response:
        sid = request.query.get("sid")
        if sid is None:
            return web.Response(text='0{"sid":"s%d-%s","upgrades":["websocket"]}' % (self.index, uuid.uuid4().hex))
        if not sid.startswith(f"s{self.index}-"):
            return web.Response(status=400, text="unknown sid")
        return web.Response(text=f"replica {self.index}")


@dataclass
class Cluster:
    replicas: list[Replica]
    settings: Settings
    actions: list[TestServer]

    @property
    def urls(self) -> list[str]:
        return self.settings.rasa_urls

    async def stop(self, index: int) -> None:
        server = self.replicas[index].server
        assert server is not None
        await server.close()


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    rasa_port = consecutive_free_ports(2 * REPLICAS)
    action_port = rasa_port + REPLICAS
    busy: dict[str, int] = {}
    replicas = [Replica(i, busy) for i in range(REPLICAS)]
    actions = []
    for i, replica in enumerate(replicas):
        replica.server = TestServer(replica.app(), host="127.0.0.1", port=rasa_port + i)
        await replica.server.start_server()
        actions.append(TestServer(_actions_app(), host="127.0.0.1", port=action_port + i))
        await actions[-1].start_server()
    settings = replace(
        Settings.from_env({}), rasa_port=rasa_port, action_port=action_port, rasa_replicas=REPLICAS, web_burst=10_000,
        web_channels="rest,socketio,telegram,slack",
    )
    yield Cluster(replicas, settings, actions)
    for server in [r.server for r in replicas] + actions:
        assert server is not None
        await server.close()


@pytest.fixture
async def front(cluster: Cluster) -> AsyncIterator[TestClient]:
    client = TestClient(TestServer(create_app(cluster.settings), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


async def say(front: TestClient, sender: str, text: str) -> tuple[int, str]:
    """(replica that answered, its text) for one REST message through the front."""
    response = await front.post(WEBHOOK, json={"sender": sender, "message": text})
    assert response.status == 200, await response.text()
    replica, _, echoed = (await response.json())[0]["text"].partition(":")
    return int(replica), echoed


def home_of(cluster: Cluster, sender: str, skip: tuple[int, ...] = ()) -> int:
    order = [cluster.urls.index(url) for url in preference(sender, cluster.urls)]
    return next(i for i in order if i not in skip)


# -- sticky routing and failover ---------------------------------------------------------


async def test_every_sender_stays_on_its_home_replica(cluster: Cluster, front: TestClient) -> None:
    senders = [uuid.uuid4().hex for _ in range(30)]
    for sender in senders:
        for turn in range(3):
            assert (await say(front, sender, f"turn {turn}"))[0] == home_of(cluster, sender)
    # Senders spread over every replica.
    assert {home_of(cluster, s) for s in senders} == set(range(REPLICAS))


async def test_a_down_home_replica_costs_no_message(cluster: Cluster, front: TestClient) -> None:
    sender = uuid.uuid4().hex
    home = home_of(cluster, sender)
    assert (await say(front, sender, "before"))[0] == home
    await cluster.stop(home)
    replica, echoed = await say(front, sender, "after")
    assert (replica, echoed) == (home_of(cluster, sender, skip=(home,)), "after")
    # Other senders of the lost replica follow their own order; the others stay where they were.
    for other in (uuid.uuid4().hex for _ in range(20)):
        assert (await say(front, other, "hi"))[0] == home_of(cluster, other, skip=(home,))


async def test_no_replica_reachable_is_a_polite_503(cluster: Cluster, front: TestClient) -> None:
    for index in range(REPLICAS):
        await cluster.stop(index)
    response = await front.post(WEBHOOK, json={"sender": "s", "message": "hello", "metadata": {"locale": "es"}})
    assert response.status == 503
    assert "no está disponible" in (await response.json())[0]["text"]


async def test_a_failed_replica_is_tried_last_then_again_once_it_answers() -> None:
    now = [0.0]
    upstreams = Upstreams(["a", "b", "c"], down_for=5.0, clock=lambda: now[0])
    sender = next(s for s in (uuid.uuid4().hex for _ in range(100)) if preference(s, ["a", "b", "c"])[0] == "a")
    upstreams.failed("a")
    assert upstreams.for_key(sender)[-1] == "a" and upstreams.fixed() == ["b", "c", "a"]
    now[0] = 6.0
    assert upstreams.for_key(sender)[0] == "a" and upstreams.fixed() == ["a", "b", "c"]


# -- one message per sender at a time ------------------------------------------------------


async def test_one_senders_messages_reach_rasa_one_at_a_time_in_order(cluster: Cluster, front: TestClient) -> None:
    for replica in cluster.replicas:
        replica.delay = 0.05
    sender, other = uuid.uuid4().hex, uuid.uuid4().hex
    texts = [f"message {i}" for i in range(15)]
    sends = []
    for text in texts:
        sends.append(asyncio.create_task(say(front, sender, text)))
        sends.append(asyncio.create_task(say(front, other, text)))
        # Let the request reach the front before the next one: that is "arrival order".
        await asyncio.sleep(0.005)
    answers = await asyncio.gather(*sends)
    assert all(echoed == text for (_, echoed), text in zip(answers[::2], texts))
    home = cluster.replicas[home_of(cluster, sender)]
    assert [m["message"] for m in home.received if m["sender"] == sender] == texts
    assert sum(r.overlaps for r in cluster.replicas) == 0


async def test_different_senders_are_not_held_up_by_each_other(cluster: Cluster, front: TestClient) -> None:
    for replica in cluster.replicas:
        replica.delay = 0.3
    started = asyncio.get_running_loop().time()
    await asyncio.gather(*(say(front, uuid.uuid4().hex, "hello") for _ in range(12)))
    assert asyncio.get_running_loop().time() - started < 2.0


async def test_sender_locks_are_dropped_when_idle() -> None:
    locks = SenderLocks()
    order: list[int] = []

    async def turn(i: int) -> None:
        async with locks.hold("s"):
            order.append(i)
            await asyncio.sleep(0.01)

    await asyncio.gather(*(turn(i) for i in range(5)))
    assert order == [0, 1, 2, 3, 4]
    assert len(locks) == 0


# -- other channels ---------------------------------------------------------------------------


async def test_platform_calls_stick_to_their_chat(cluster: Cluster, front: TestClient) -> None:
    update = {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 4242}, "text": "hi"}}
    for _ in range(3):
        response = await front.post("/webhooks/telegram/webhook", data=json.dumps(update).encode())
        # Routed by the chat's conversation key (bot/channels/keys.py).
        assert await response.text() == f"replica {home_of(cluster, 'telegram:4242')}"


@pytest.mark.parametrize(
    "channel,body,key",
    [
        # The conversation keys Rasa's channels store the messages under (bot/channels/keys.py).
        ("telegram", {"message": {"chat": {"id": 7}}}, "telegram:7"),
        ("telegram", {"callback_query": {"message": {"chat": {"id": "c"}}, "data": "/x"}}, "telegram:c"),
        ("slack", {"team_id": "T1", "event": {"type": "message", "user": "U1", "channel": "C1"}}, "slack:T1:U1"),
        ("facebook", {"entry": [{"messaging": [{"sender": {"id": "F1"}}]}]}, "messenger:F1"),
        ("telegram", {"message": {"chat": {"id": True}}}, None),
        ("facebook", {"entry": []}, None),
        ("twilio", {"From": "x"}, None),
    ],
)
def test_platform_keys(channel: str, body: dict, key: Optional[str]) -> None:
    assert platform_key(channel, json.dumps(body).encode()) == key


def test_platform_keys_of_bodies_that_are_not_json() -> None:
    assert platform_key("slack", b"payload=" + b'{"team":{"id":"T1"},"user":{"id":"U2"}}') == "slack:T1:U2"
    assert platform_key("telegram", b"\xff[[[") is None


# -- socket.io ---------------------------------------------------------------------------------


async def test_a_socketio_session_stays_on_the_replica_that_opened_it(cluster: Cluster, front: TestClient) -> None:
    await cluster.stop(0)
    handshake = await front.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
    sid = json.loads((await handshake.text())[1:])["sid"]
    assert sid.startswith("s1-")
    for _ in range(3):
        response = await front.get("/socket.io/", params={"EIO": "4", "transport": "polling", "sid": sid})
        assert response.status == 200 and await response.text() == "replica 1"


def test_idle_socketio_sessions_are_forgotten() -> None:
    now = [0.0]
    sessions = SocketSessions(idle=10.0, clock=lambda: now[0])
    assert sessions.learn(b'0{"sid":"old","upgrades":[]}', "a") == "old"
    now[0] = 11.0
    sessions.learn(b'0{"sid":"new"}', "b")
    assert sessions.upstream("old") is None and sessions.upstream("new") == "b"
    assert len(sessions) == 1


# -- health ----------------------------------------------------------------------------------------


async def test_health_reports_every_replica(cluster: Cluster, front: TestClient) -> None:
    response = await front.get("/health")
    assert response.status == 200
    assert (await response.json())["replicas"] == [
        {"replica": i, "rasa": "up", "actions": "up"} for i in range(REPLICAS)
    ]
    await cluster.stop(1)
    response = await front.get("/health")
    report = await response.json()
    assert response.status == 200 and report["status"] == "degraded"
    assert [r["rasa"] for r in report["replicas"]] == ["up", "down", "up"]
    for index in (0, 2):
        await cluster.stop(index)
    response = await front.get("/health")
    assert response.status == 503 and (await response.json())["status"] == "unavailable"

