"""The whole assistant as `make run` starts it, plus Telegram and Slack wired to a stand-in."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.runtime.endpoints import write_endpoints
from bot.runtime.processes import free_port
from bot.runtime.settings import Settings
from bot.channels.platforms import channel_names
from bot.runtime.launcher import (
    Processes, child_env, start_assistant, start_front, wait_until_answering, with_action_token, write_credentials,
)
from tests.conftest import ROOT
from tests.servers import LOGS, Assistant, loopback_settings, logs_of, require_model
from tests.bot.web.standin import TELEGRAM_BOT, StandIn, start_standin

# Secrets of the test platforms: made up, and only ever sent to the stand-in.
PLATFORM_ENV = {
    "TELEGRAM_TOKEN": "7000000001:AAtest-token-for-the-stand-in",
    "TELEGRAM_BOT_USERNAME": TELEGRAM_BOT["username"],
    "TELEGRAM_WEBHOOK_URL": "https://chat.example.org/webhooks/telegram/webhook",
    "TELEGRAM_SECRET_TOKEN": "test-secret-token_123",
    "SLACK_TOKEN": "xoxb-test-token",
    "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
    "FACEBOOK_VERIFY": "test-verify-token",
    "FACEBOOK_SECRET": "test-app-secret",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "EAAtest-page-token",
}


@dataclass
class Stack:
    assistant: Assistant
    standin: StandIn
    # Ports of two other sites: the first is in WEB_ALLOWED_ORIGINS, the second is not.
    site_port: int = 0
    stranger_port: int = 0
    # An expired and a recent conversation, stored before the assistant started.
    seeded: tuple[str, str] = ("", "")
    name: str = "web"
    # Where each process's log stood when this stack started: logs are appended to across runs.
    log_offsets: dict[str, int] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.assistant.settings

    @property
    def url(self) -> str:
        """The web front: the one public address."""
        return f"http://127.0.0.1:{self.settings.web_port}"

    def stop(self) -> None:
        self.assistant.stop()
        self.standin.stop()

    def log_since_start(self, role: str) -> str:
        """What the ``role`` process ("rasa", "web", "actions") has logged since this stack started."""
        with open(LOGS / f"{self.name}-{role}.log", "rb") as log:
            log.seek(self.log_offsets.get(role, 0))
            return log.read().decode("utf-8", "replace")


def start_stack(name: str) -> Stack:
    require_model()
    standin = start_standin(free_port())
    site_port, stranger_port = free_port(), free_port()
    settings = with_action_token(loopback_settings(web_host="127.0.0.1"))
    env = {
        **child_env(settings),
        **PLATFORM_ENV,
        "WEB_HOST": settings.web_host,
        # Every test comes from 127.0.0.1; the limiter has tests of its own.
        "WEB_BURST": "100000",
        # A site that embeds the widget (tests/bot/web/test_embed.py).
        "WEB_ALLOWED_ORIGINS": f"http://127.0.0.1:{site_port}",
        "TELEGRAM_API_URL": standin.url,
        "SLACK_API_URL": f"{standin.url}/api/",
        "FACEBOOK_API_URL": f"{standin.url}/graph",
    }
    LOGS.mkdir(parents=True, exist_ok=True)
    seeded = _seed_conversations(settings.conversation_retention_days)
    credentials = channel_names(write_credentials(env, target=LOGS / f"{name}-credentials.yml"))
    assert {"telegram", "slack", "facebook"} <= set(credentials)
    offsets = {role: _size(LOGS / f"{name}-{role}.log") for role in ("actions", "rasa", "web")}
    # As `make run` does: each process with only its own secrets, the front told which channels are on.
    processes = Processes(env, logs=logs_of(name))
    start_assistant(
        processes, settings, LOGS / f"{name}-credentials.yml", write_endpoints(settings), env=env,
        names=("actions", "rasa"), cwd=ROOT,
    )
    start_front(processes, env, credentials, name="web", cwd=ROOT)
    stack = Stack(Assistant(settings, processes), standin, site_port, stranger_port, seeded, name, offsets)
    try:
        asyncio.run(wait_until_answering(settings))
        _wait_for_health(stack)
    except BaseException:
        stack.stop()
        raise
    return stack


def _seed_conversations(retention_days: int) -> tuple[str, str]:
    """Stores a conversation idle for longer than the retention, and one from a day ago."""
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.runtime.privacy import open_store

    store = open_store(Settings())
    senders = (f"expired-{uuid.uuid4().hex}", f"recent-{uuid.uuid4().hex}")
    for sender, days in zip(senders, (retention_days + 1, 1)):
        when = time.time() - days * 86_400
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, [UserUttered("hola", timestamp=when)])))
    return senders


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _wait_for_health(stack: Stack, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{stack.url}/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"the web front at {stack.url} did not report healthy within {timeout:.0f} s")
