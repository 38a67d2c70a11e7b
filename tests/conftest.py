"""Shared fixtures: the fact store and fresh rasa-sdk trackers."""

from __future__ import annotations

import os
import socket
import tempfile

# Every test run gets its own VAR_DIR (conversations, endpoints, logs), set
# before any project module reads it and inherited by every process the
# tests start: the checkout's var/ is its owner's, and a run leaves it as it was.
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="assistant-tests-")
from typing import Any, Callable, Dict, List, Optional

import pytest
from hypothesis import HealthCheck, settings
from rasa_sdk import Tracker

from bot.domain.languages import LANGUAGES
from bot.domain.store import FactStore, default_store
from bot.paths import ROOT  # noqa: F401  (tests take it from here)
LANGS = list(LANGUAGES)

# Property-based tests: a CI-sized run by default, a larger one with `make fuzz`.
# No deadline: the machine's two cores are shared, and a slow example is not a failure.
FUZZ_EXAMPLES = {"ci": 300, "fuzz": 2000}
for _profile, _examples in FUZZ_EXAMPLES.items():
    settings.register_profile(
        _profile, max_examples=_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow],
        print_blob=True,
    )
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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
        confidence: float = 1.0,
        **slots: Any,
    ) -> Tracker:
        entity_list = [
            {"entity": kind, "value": value} for kind, values in (entities or {}).items() for value in values
        ]
        latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entity_list}
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


# --- tests that need something outside Python: mandatory in CI, loud when skipped ---

SKIPPED_LOUDLY: list[str] = []


def require(available: bool, what: str, how: str) -> None:
    """Fail in CI when ``what`` is missing; elsewhere skip, and say so at the end of the run."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI but unavailable: {how}")
    reason = f"{what} unavailable, tests SKIPPED ({how})"
    if reason not in SKIPPED_LOUDLY:
        SKIPPED_LOUDLY.append(reason)
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


# Fixtures that load the trained model: their tests need `make train` first, so `make check` leaves them out.
MODEL_FIXTURES = {"agent", "assistant"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    for reason in SKIPPED_LOUDLY:
        terminalreporter.write_line(f"!!! {reason}", red=True, bold=True)
