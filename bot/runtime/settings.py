"""Settings, read once from the environment into one frozen dataclass."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Mapping, Optional
from urllib.parse import urlsplit

from bot.paths import MODEL, MODELS_DIR, VAR

DEFAULT_PORTS = {"http": 80, "https": 443}


class ConfigError(ValueError):
    """An environment variable holds a value the assistant cannot use."""


@dataclass(frozen=True)
class Settings:
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8080
    # Rasa servers on RASA_PORT.., each with its own action server on ACTION_PORT..
    rasa_replicas: int = 1
    # Rasa and the action server listen here; only the web front is public.
    internal_host: str = "127.0.0.1"
    web_host: str = "0.0.0.0"
    model: str = str(MODEL)
    # The fact store's folder; empty: bot/facts. The NLU's name matcher and the
    # answers both read it at start-up, so a new alias needs no retraining.
    facts_dir: str = ""
    # Conversations (SQLite), the effective endpoints and credentials, logs: an
    # absolute path, the owner's alone. Tests give each run a folder of its own.
    var_dir: str = str(VAR)
    # Conversations: SQLite under var/ unless DATABASE_URL names PostgreSQL;
    # Redis locks only when REDIS_URL is set (several Rasa replicas).
    database_url: str = ""
    redis_url: str = ""
    # Each Rasa replica caches its most recent conversations' trackers (bot/server/tracker_store.py):
    # how many, and how many user turns each keeps in memory (the store keeps all).
    tracker_cache_size: int = 500
    tracker_window_turns: int = 5
    # Shared secret Rasa sends with every action call; `make run` makes one up.
    # Conversation tokens (bot/channels/keys.py) are derived from it.
    action_token: str = ""
    # Events one conversation may hold; past it the visitor is told the
    # conversation is full and how to start afresh (bot/server/tracker_store.py).
    conversation_max_events: int = 10_000
    # REST integrators' back ends that send it in X-Rest-Secret may delete their
    # conversations by sender id (docs/deployment.md); empty: none may.
    rest_shared_secret: str = ""
    # Edge limits of the web front (bot/web): a message, a request body, and
    # a per-client-IP token bucket (refill per minute, burst size).
    web_max_message_chars: int = 1000
    web_max_body_bytes: int = 16 * 1024
    web_rate_per_minute: int = 30
    web_burst: int = 20
    # Reverse proxies (addresses or networks, comma-separated) whose
    # X-Forwarded-For names the visitor; empty: the TCP peer is the visitor.
    web_trusted_proxies: str = ""
    # The channels whose routes the front opens; `make run` names those it connected.
    web_channels: str = "rest,socketio,privacy"
    # Connections one client address may hold open (trusted proxies exempt),
    # and websockets per address and in all.
    web_max_connections_per_address: int = 64
    web_max_sockets_per_address: int = 8
    web_max_sockets: int = 1000
    # socket.io long-polling GETs waiting at Rasa: per address and in all (one per session always).
    web_max_polls_per_address: int = 8
    web_max_polls: int = 1000
    # Other requests (REST, webhooks, handshakes, polling POSTs) with Rasa at once, in all.
    web_max_requests: int = 200
    # A websocket that carries no visitor event for this many seconds is closed, whatever pings it answers.
    web_socket_idle_s: int = 600
    # What reaches Rasa without being a visitor's message (polls, pings, pongs)
    # has a token bucket of its own per client address.
    web_background_rate_per_minute: int = 120
    web_background_burst: int = 40
    # A connection whose responses are not being read is closed after this
    # many seconds; it may queue this many pipelined requests meanwhile.
    web_write_timeout_s: int = 20
    web_max_pipeline: int = 8
    # Other sites' origins ("https://www.example.org", comma-separated) whose
    # pages may use the REST channel and socket.io: the widget's hosts. Empty:
    # the front's own origin only.
    web_allowed_origins: str = ""
    # Origins allowed to show the chat page in a frame; empty: none.
    web_frame_ancestors: str = ""
    # Conversations idle for longer are deleted from the tracker store.
    conversation_retention_days: int = 30
    # Platform API bases; tests point them at a stand-in server on loopback.
    telegram_api_url: str = "https://api.telegram.org"
    slack_api_url: str = "https://slack.com/api/"
    # Empty: the Graph API version the Messenger client targets.
    facebook_api_url: str = ""

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env
        values = {}
        for field in fields(cls):
            raw = env.get(field.name.upper())
            if raw is None or raw == "":
                continue
            values[field.name] = _convert(field.name, raw, field.type)
        settings = cls(**values)
        _check_model(settings.model)
        if not Path(settings.var_dir).is_absolute():
            raise ConfigError(f"VAR_DIR must be an absolute path, not {settings.var_dir!r}")
        if settings.rasa_replicas < 1:
            raise ConfigError(f"RASA_REPLICAS must be at least 1, not {settings.rasa_replicas}")
        if settings.conversation_max_events < 100:
            raise ConfigError(f"CONVERSATION_MAX_EVENTS must be at least 100, not {settings.conversation_max_events}")
        if settings.tracker_cache_size < 0 or settings.tracker_window_turns < 1:
            raise ConfigError("TRACKER_CACHE_SIZE must be 0 or more and TRACKER_WINDOW_TURNS at least 1")
        if settings.conversation_retention_days < 1:
            raise ConfigError(
                f"CONVERSATION_RETENTION_DAYS must be at least 1, not {settings.conversation_retention_days}"
            )
        parse_origins(settings.web_allowed_origins, "WEB_ALLOWED_ORIGINS")
        parse_origins(settings.web_frame_ancestors, "WEB_FRAME_ANCESTORS")
        return settings

    @property
    def runtime_dir(self) -> Path:
        return Path(self.var_dir)

    @property
    def rasa_url(self) -> str:
        return f"http://{self.internal_host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.internal_host}:{self.action_port}"

    def replicas(self) -> list["Settings"]:
        """One ``Settings`` per Rasa replica: its own Rasa port and action server port."""
        return [
            replace(self, rasa_port=self.rasa_port + i, action_port=self.action_port + i, rasa_replicas=1)
            for i in range(self.rasa_replicas)
        ]

    @property
    def rasa_urls(self) -> list[str]:
        return [replica.rasa_url for replica in self.replicas()]

    @property
    def action_urls(self) -> list[str]:
        return [replica.action_url for replica in self.replicas()]


def check_scale_out(settings: Settings) -> None:
    """Refuses replicas that could not share conversations, and port ranges that collide."""
    if settings.rasa_replicas > 1 and not (settings.database_url and settings.redis_url):
        # SQLite is one file per machine and without REDIS_URL each replica locks in memory.
        raise ConfigError(
            f"RASA_REPLICAS={settings.rasa_replicas} needs DATABASE_URL (PostgreSQL) and REDIS_URL (Redis) "
            "so that every replica shares the conversations and their locks; set both, or RASA_REPLICAS=1"
        )
    rasa = range(settings.rasa_port, settings.rasa_port + settings.rasa_replicas)
    actions = range(settings.action_port, settings.action_port + settings.rasa_replicas)
    if set(rasa) & set(actions) or settings.web_port in rasa or settings.web_port in actions:
        raise ConfigError(
            f"ports overlap: Rasa {rasa.start}-{rasa.stop - 1}, actions {actions.start}-{actions.stop - 1}, "
            f"web {settings.web_port}; move RASA_PORT, ACTION_PORT or WEB_PORT apart"
        )


def parse_origin(text: str, variable: str) -> str:
    """``text`` as a browser writes it in ``Origin``: ``scheme://host[:port]``, lower case, no default port."""
    if text.strip() == "*":
        raise ConfigError(
            f"{variable} must list exact origins such as https://www.example.org; '*' would let every site "
            "talk to the assistant in its visitors' name"
        )
    parts = urlsplit(text.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme not in DEFAULT_PORTS or not parts.hostname or port == -1 or parts.username or parts.password
        or parts.path not in ("", "/") or parts.query or parts.fragment
    ):
        raise ConfigError(f"{variable} must list origins such as https://www.example.org, not {text.strip()!r}")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    shown_port = "" if port in (None, DEFAULT_PORTS[parts.scheme]) else f":{port}"
    return f"{parts.scheme}://{host}{shown_port}"


def parse_origins(text: str, variable: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(parse_origin(item, variable) for item in text.split(",") if item.strip()))


def _check_model(model: str) -> None:
    # A model is code Rasa runs (CVE-2024-49375): load only what `make train` wrote.
    if not Path(model).resolve().is_relative_to(MODELS_DIR):
        raise ConfigError(f"MODEL must be a file under {MODELS_DIR}, not {model!r}")


def _convert(name: str, raw: str, kind: object) -> object:
    if kind in (int, "int"):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name.upper()} must be a whole number, not {raw!r}") from None
    return raw
