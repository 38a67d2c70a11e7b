"""A restart keeps every conversation: language, focus and follow-ups intact."""

from __future__ import annotations

import pytest

from tests.conversations.test_rest import Visitor
from tests.servers import start_assistant

pytestmark = pytest.mark.servers


def test_conversations_survive_a_restart() -> None:
    first = start_assistant("restart-before")
    try:
        spanish = Visitor(first.rest_url, metadata={"locale": "es-ES"})
        assert "Fuente:" in spanish.say("MINUSMA")
        spanish.metadata = None
        english = Visitor(first.rest_url)
        assert "30" in english.say("How many Norwegian police officers serve in UN missions?")
    finally:
        first.stop()
    second = start_assistant("restart-after", settings=first.settings)
    try:
        spanish.url = english.url = second.rest_url
        # A language-neutral message: only the stored conversation says "Spanish".
        assert "Fuente:" in spanish.say("UNTSO")
        # Only the stored focus says "police".
        reply = english.say("which missions are those?")
        assert all(m in reply for m in ("UNMISS", "UNFICYP", "MINUJUSTH", "UNMC")), reply
        assert "MINUSMA" not in reply
    finally:
        second.stop()
