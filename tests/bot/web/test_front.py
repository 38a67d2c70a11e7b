"""The front's shared state (bot/web/front.py): which channels it opens, and which replicas it believes can answer."""

from __future__ import annotations

from dataclasses import replace

import aiohttp
import pytest

from bot.runtime.settings import ConfigError, Settings
from bot.web import proxy
from bot.web.front import Front, Unavailable, connected_channels
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


@pytest.mark.parametrize("failure", [proxy.Declined(400), proxy.Unreachable()])
async def test_a_visitors_request_marks_no_replica_down(failure: Exception) -> None:
    settings = replace(Settings.from_env({}), rasa_replicas=2)
    front = Front(settings)
    tried: list[str] = []

    async def attempt(url: str) -> str:
        tried.append(url)
        raise failure

    for _ in range(3):
        with pytest.raises((proxy.Declined, Unavailable)):
            await front.first_answering(settings.rasa_urls, attempt)
    # Every request tried its replicas again: none was taken for dead by what a visitor sent.
    assert front.serving == {url: True for url in settings.rasa_urls}
    assert front.upstreams.fixed() == settings.rasa_urls
    # A declined request is that visitor's answer; one that reached nothing asks the watch to look at once.
    if isinstance(failure, proxy.Declined):
        assert tried == [settings.rasa_urls[0]] * 3 and not front.recheck.is_set()
    else:
        assert tried == settings.rasa_urls * 3 and front.recheck.is_set()
