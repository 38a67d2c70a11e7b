"""What bot/channels/inputs.py reads from Telegram updates, without any server."""

from __future__ import annotations

import hmac

import pytest

from bot.channels.inputs import hub_signature_valid, telegram_command, telegram_metadata


@pytest.mark.parametrize(
    "update,expected",
    [
        ({"message": {"from": {"id": 1, "language_code": "es"}, "text": "hola"}}, {"language_code": "es"}),
        ({"callback_query": {"from": {"id": 1, "language_code": "en-GB"}, "data": "/greet"}}, {"language_code": "en-GB"}),
        ({"edited_message": {"from": {"id": 1, "language_code": "es"}}}, {"language_code": "es"}),
        ({"message": {"from": {"id": 1}, "text": "hi"}}, None),
        ({"message": {"from": None}}, None),
        ({"message": "odd"}, None),
        ([], None),
        ('{"message": {"from": {"language_code": "es"}}}', {"language_code": "es"}),
        ("not json", None),
    ],
)
def test_telegram_metadata_carries_the_users_language(update, expected) -> None:  # type: ignore[no-untyped-def]
    assert telegram_metadata(update) == expected


@pytest.mark.parametrize(
    "text,expected",
    [("/start", "/greet"), ("/start@norway_bot", "/greet"), ("/start ref42", "/greet"), ("/HELP", "/ask_help"),
     ("start", "start"), ("/ask_nato", "/ask_nato"), ("", ""), (None, None)],
)
def test_telegram_commands_map_to_intents(text, expected) -> None:  # type: ignore[no-untyped-def]
    assert telegram_command(text) == expected


@pytest.mark.parametrize(
    "header,valid",
    [
        ("sha1=" + hmac.new(b"app-secret", b"{}", "sha1").hexdigest(), True),
        ("sha256=" + hmac.new(b"app-secret", b"{}", "sha256").hexdigest(), True),
        ("sha1=" + hmac.new(b"other", b"{}", "sha1").hexdigest(), False),
        ("x=y", False), ("md5=abc", False), ("sha1", False), ("", False), ("=", False),
    ],
)
def test_messenger_signatures_are_checked_without_failing(header: str, valid: bool) -> None:
    assert hub_signature_valid("app-secret", b"{}", header) is valid


# -- Messenger: replies as Messenger shows them, without its API ---------------------------


async def test_messenger_replies_give_the_citation_then_its_address(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fbmessenger import MessengerClient
    from rasa.core.channels.facebook import Messenger

    from bot.channels.inputs import MessengerOutput, messenger_formed

    sent: list[dict] = []
    monkeypatch.setattr(MessengerClient, "send", lambda self, payload, recipient, *a, **k: sent.append(payload))
    monkeypatch.setattr(MessengerClient, "send_action", lambda self, *a, **k: None)
    url = "https://www.norway.no/en/missions/UN/values-priorities/peace-stability-sec/"
    outputs = []

    async def assistant(message) -> None:  # type: ignore[no-untyped-def]
        outputs.append(message.output_channel)
        await message.output_channel.send_response(
            message.sender_id, {"text": f"Norway's aims:\n1. one\n2. two\n\nSource: [Norway's government, 2019]({url})"}
        )

    messenger = Messenger("page-token", messenger_formed(assistant))
    entry = {"sender": {"id": "1234"}, "recipient": {"id": "5678"}, "timestamp": 1, "message": {"mid": "m", "text": "aims"}}
    await messenger.handle({"object": "page", "entry": [{"id": "5678", "time": 1, "messaging": [entry]}]}, None)

    assert isinstance(outputs[0], MessengerOutput)
    assert [p["text"] for p in sent] == ["Norway's aims:\n1. one\n2. two", f"Source: Norway's government, 2019: {url}"]


# -- Slack: replies are shown as written, never acted on ------------------------------------------

SLACK_MARKUP = "<!channel> look: <http://evil.example|your bank> & <@U123> > everyone"


@pytest.fixture
def slack_api():  # type: ignore[no-untyped-def]
    from tests.servers import free_port
    from tests.bot.web.standin import start_standin

    standin = start_standin(free_port())
    yield standin
    standin.stop()


def _slack_output(slack_api):  # type: ignore[no-untyped-def]
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.channels.inputs import SlackOutput

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
