"""The front's shared state (bot/web/front.py): which channels it opens, and which replicas it believes can answer."""

from __future__ import annotations

from dataclasses import replace

import aiohttp
import pytest

from bot.runtime.settings import ConfigError, Settings
from bot.web.front import Front, connected_channels
from tests.bot.web.conftest import Upstream


def test_only_known_channels_may_be_opened() -> None:
    assert connected_channels(" rest, socketio ,telegram,,privacy") == {"rest", "socketio", "telegram", "privacy"}
    with pytest.raises(ConfigError, match="whatsapp"):
        connected_channels("rest,whatsapp")


async def test_a_replica_whose_action_server_is_down_is_not_serving(upstream: Upstream) -> None:
    settings = replace(Settings.from_env({}), rasa_port=upstream.rasa.port, action_port=upstream.actions.port)
    front = Front(settings)
    async with aiohttp.ClientSession() as session:
        assert await front.probe(session) == ([True], [True])
        await upstream.actions.close()
        assert await front.probe(session) == ([True], [False])
    assert front.serving == {settings.rasa_url: False}
