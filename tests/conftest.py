"""Shared fixtures: the fact store and fresh rasa-sdk trackers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
from rasa_sdk import Tracker

from bot.store import FactStore, default_store

ROOT = Path(__file__).resolve().parent.parent
LANGS = ["en", "es"]


@pytest.fixture
def store() -> FactStore:
    return default_store()


TrackerFactory = Callable[..., Tracker]


@pytest.fixture
def make_tracker() -> TrackerFactory:
    """A new tracker whose latest message has the given intent, entities and slots."""

    def build(
        language: Optional[str] = "en",
        intent: str = "ask_deployments",
        entities: Optional[Dict[str, List[str]]] = None,
        text: str = "",
        **slots: Any,
    ) -> Tracker:
        entity_list = [
            {"entity": kind, "value": value} for kind, values in (entities or {}).items() for value in values
        ]
        latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entity_list}
        return Tracker(
            sender_id="test",
            slots={"language": language, "focus": None, **slots},
            latest_message=latest,
            events=[],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )

    return build


@pytest.fixture(scope="session")
def assistant():  # type: ignore[no-untyped-def]
    """The real action server and Rasa server, shared by the tests of one run."""
    from tests.servers import running

    yield from running("session")
