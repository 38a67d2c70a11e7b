"""Every channel the assistant speaks on, in one place: its name, routes, class, secrets, settings and keys.

A new platform is one entry here and its channel module. What enumerates
channels reads this table:

- ``make run`` (``bot.runtime.serve``) names the channels Rasa connected by
  their class (as ``credentials.yml`` writes it) and tells the web front;
- the web front opens each connected channel's routes (``bot.web.app``),
  refuses unknown names in WEB_CHANNELS (``bot.web.front``), checks each
  platform's signature headers (``bot.web.edge``) and locks a webhook call
  under the conversation it is about (``bot.web.balance.platform_key``);
- the launcher keeps each platform's secrets from the processes that do not
  use them (``bot.runtime.launcher.role_env``).

``credentials.yml`` stays the file Rasa's channels are configured from; a
test checks that it names the same classes and ``${VARIABLES}`` as this table.

No Rasa here: the front imports this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from bot.channels import keys

Route = tuple[str, str]
# Where a platform's body puts something (the first path found wins): keys of
# dicts and indexes of lists, as Rasa's channels read them (bot/channels/*.py).
Paths = tuple[tuple[Any, ...], ...]
# A conversation's key from who wrote (and for Slack, their team).
KeyOf = Callable[[str, Optional[str]], str]


@dataclass(frozen=True)
class Channel:
    """One Rasa input channel, as the launcher, Rasa and the web front each need it."""

    # Rasa's name for it: its webhook is /webhooks/<name>/..., and WEB_CHANNELS lists it.
    name: str
    # The input channel class, as credentials.yml names it.
    channel: str
    # What the web front opens for it: (method, path).
    routes: tuple[Route, ...]
    # The environment variables it needs, all set, to be connected (credentials.yml's ${VARIABLES}).
    secrets: tuple[str, ...] = ()
    # Its Settings fields (the platform API's base URL, which tests point at a stand-in).
    settings: tuple[str, ...] = ()
    # The namespace its conversations are filed under (bot.channels.keys); None: it holds none.
    namespace: Optional[str] = None
    # A third party's webhook: the front passes the body on untouched, from the platforms' rate bucket.
    platform: bool = False
    # Platforms only: where the body names who wrote, and their team; the conversation's key from them.
    sender_paths: Paths = ()
    team_paths: Paths = ()
    key_of: Optional[KeyOf] = None
    # Platforms only: the signature headers and their exact formats; anything else is refused with 403.
    signature_headers: tuple[tuple[str, str], ...] = ()

    @property
    def module(self) -> str:
        return self.channel.rsplit(".", 1)[0]

    @property
    def class_name(self) -> str:
        return self.channel.rsplit(".", 1)[1]

    def conversation(self, body: object) -> Optional[str]:
        """The conversation a webhook ``body`` (decoded) is about; None when it does not say who wrote."""
        if self.key_of is None or not isinstance(body, dict):
            return None
        user = _first(body, self.sender_paths)
        if user is None:
            return None
        return self.key_of(user, _first(body, self.team_paths))

    def signature_formats(self) -> dict[str, re.Pattern[str]]:
        return {header: re.compile(form) for header, form in self.signature_headers}


def _namespaced(namespace: str) -> KeyOf:
    return lambda user, _team: keys.conversation_key(namespace, user)


def _slack(user: str, team: Optional[str]) -> str:
    return keys.slack_key(team, user)


CHANNELS: tuple[Channel, ...] = (
    # The chat page and integrators.
    Channel("rest", "bot.channels.rest.RestInput", (("POST", "/webhooks/rest/webhook"),), namespace=keys.REST),
    # socket.io clients such as rasa-webchat: long-polling and websockets.
    Channel(
        "socketio", "bot.channels.socketio.SocketIOInput", (("GET", "/socket.io/"), ("POST", "/socket.io/")),
        namespace=keys.SOCKETIO,
    ),
    # "Clear conversation" on the page and the widget; it files no conversation of its own.
    Channel("privacy", "bot.channels.erasure.PrivacyInput", (("POST", "/webhooks/privacy/forget"),)),
    Channel(
        "telegram", "bot.channels.telegram.TelegramInput", (("POST", "/webhooks/telegram/webhook"),),
        secrets=("TELEGRAM_TOKEN", "TELEGRAM_BOT_USERNAME", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN"),
        settings=("telegram_api_url",),
        namespace=keys.TELEGRAM,
        platform=True,
        sender_paths=(
            ("message", "chat", "id"), ("edited_message", "chat", "id"), ("callback_query", "message", "chat", "id"),
        ),
        key_of=_namespaced(keys.TELEGRAM),
        # Telegram's secret token: 1-256 characters A-Z, a-z, 0-9, _ and -.
        signature_headers=(("X-Telegram-Bot-Api-Secret-Token", r"[A-Za-z0-9_-]{1,256}"),),
    ),
    # Slack: the Events API and interactivity both at one webhook.
    Channel(
        "slack", "bot.channels.slack.SlackInput", (("POST", "/webhooks/slack/webhook"),),
        secrets=("SLACK_TOKEN", "SLACK_SIGNING_SECRET"),
        settings=("slack_api_url",),
        namespace=keys.SLACK,
        platform=True,
        sender_paths=(("event", "user"), ("user", "id")),
        team_paths=(("team_id",), ("team", "id")),
        key_of=_slack,
        signature_headers=(
            ("X-Slack-Signature", r"v0=[0-9a-fA-F]{64}"), ("X-Slack-Request-Timestamp", r"[0-9]{1,12}"),
        ),
    ),
    # Facebook Messenger: Rasa calls the channel "facebook"; its conversations are "messenger:<id>".
    Channel(
        "facebook", "bot.channels.messenger.FacebookInput",
        # Messenger checks the address with a GET before it sends anything.
        (("GET", "/webhooks/facebook/webhook"), ("POST", "/webhooks/facebook/webhook")),
        secrets=("FACEBOOK_VERIFY", "FACEBOOK_SECRET", "FACEBOOK_PAGE_ACCESS_TOKEN"),
        settings=("facebook_api_url",),
        namespace=keys.MESSENGER,
        platform=True,
        sender_paths=(("entry", 0, "messaging", 0, "sender", "id"),),
        key_of=_namespaced(keys.MESSENGER),
        signature_headers=(
            ("X-Hub-Signature", r"sha1=[0-9a-fA-F]{40}"), ("X-Hub-Signature-256", r"sha256=[0-9a-fA-F]{64}"),
        ),
    ),
)
PLATFORMS: tuple[Channel, ...] = tuple(c for c in CHANNELS if c.platform)
NAMES: frozenset[str] = frozenset(c.name for c in CHANNELS)
_BY_NAME = {c.name: c for c in CHANNELS}
_BY_CLASS = {c.channel: c for c in CHANNELS}


def channel(name: str) -> Channel:
    """The channel Rasa calls ``name`` ("rest", "telegram", "facebook", ...)."""
    return _BY_NAME[name]


def by_class(path: str) -> Channel:
    """The channel of an input channel class, as credentials.yml names it."""
    return _BY_CLASS[path]


def channel_names(class_paths: Iterable[str]) -> list[str]:
    """The names of the channels whose classes are given, in their order: what WEB_CHANNELS lists."""
    return [by_class(path).name for path in class_paths]


def platform_secrets() -> frozenset[str]:
    """Every variable that holds a platform's secret."""
    return frozenset(secret for c in CHANNELS for secret in c.secrets)


def _first(data: dict, paths: Paths) -> Optional[str]:
    for path in paths:
        value = _dig(data, path)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
    return None


def _dig(data: object, path: tuple[Any, ...]) -> object:
    for step in path:
        if isinstance(step, int):
            if not isinstance(data, list) or len(data) <= step:
                return None
        elif not isinstance(data, dict):
            return None
        data = data[step] if isinstance(step, int) else data.get(step)
    return data
