"""Messenger's signatures and replies (bot/channels/messenger.py), without Facebook."""

from __future__ import annotations

import hmac

import pytest

from bot.channels.messenger import MessengerOutput, hub_signature_valid, messenger_formed


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


# -- Replies as Messenger shows them, without its API ---------------------------------------


async def test_messenger_replies_give_the_citation_then_its_address(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fbmessenger import MessengerClient
    from rasa.core.channels.facebook import Messenger

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
