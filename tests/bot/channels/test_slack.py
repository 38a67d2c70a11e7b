"""Slack replies (bot/channels/slack.py) are shown as written, never acted on."""

from __future__ import annotations

import pytest

SLACK_MARKUP = "<!channel> look: <http://evil.example|your bank> & <@U123> > everyone"


@pytest.fixture
def slack_api():  # type: ignore[no-untyped-def]
    from bot.runtime.processes import free_port
    from tests.bot.web.standin import start_standin

    standin = start_standin(free_port())
    yield standin
    standin.stop()


def _slack_output(slack_api):  # type: ignore[no-untyped-def]
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.channels.slack import SlackOutput

    output = SlackOutput("xoxb-test", "D42")
    output.client = AsyncWebClient("xoxb-test", base_url=f"{slack_api.url}/api/")
    return output


def _posted(slack_api) -> list[dict]:  # type: ignore[no-untyped-def]
    return [c.fields for c in slack_api.wait_for(lambda c: c.method == "chat.postMessage")]


async def test_slack_text_replies_escape_mentions_and_links(slack_api) -> None:  # type: ignore[no-untyped-def]
    await _slack_output(slack_api).send_text_message("U1", SLACK_MARKUP)
    [post] = _posted(slack_api)
    assert post["text"] == (
        "&lt;!channel&gt; look: &lt;http://evil.example|your bank&gt; &amp; &lt;@U123&gt; &gt; everyone"
    )


async def test_slack_replies_with_buttons_escape_their_text(slack_api) -> None:  # type: ignore[no-untyped-def]
    buttons = [{"title": "NATO", "payload": "/ask_nato"}]
    await _slack_output(slack_api).send_text_with_buttons("U1", SLACK_MARKUP, buttons)
    [post] = _posted(slack_api)
    # The mrkdwn fields; button titles are plain_text, which Slack never reads as markup.
    texts = [post["text"], post["blocks"][0]["text"]["text"]]
    assert all("<" not in text and ">" not in text for text in texts), texts
    assert post["blocks"][1]["elements"][0]["value"] == "/ask_nato"
