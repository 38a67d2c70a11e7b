"""``make shell``: talk to the assistant in a terminal, with one staff line of reasoning per reply.

It starts an action server and a Rasa server of its own on free loopback
ports (so `make run` may be up too) and talks to them as a visitor would,
through the REST channel; Rasa's HTTP API stays off. The staff line is read
back from the shell's own tracker store (``var/shell.db``, so staff trials
never reach the visitors' report). The servers' logs go to ``var/shell.log``.

Commands: ``/restart`` starts a new conversation, a button's number sends its
payload, ``/exit`` or Ctrl-D leaves.
"""

from __future__ import annotations

import argparse
import asyncio
import readline  # noqa: F401  (line editing and history for input())
import secrets
import sys
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional, Sequence

import requests
import yaml

from bot.channels.keys import REST, conversation_key
from bot.runtime.settings import ConfigError, Settings
from bot.paths import ROOT
from bot.runtime.endpoints import endpoints, write_private
from bot.runtime.launcher import Processes, child_env, start_assistant, wait_until_answering
from bot.runtime.processes import free_port
from bot.domain.store import FactStore, default_store
from tools.store import read_events, store_url
from tools.turns import Turn, TurnReader

# Only the REST channel: no platform secret is needed, and none is read.
CHANNELS = {"bot.channels.rest.RestInput": None}
RESTART, EXIT = "/restart", ("/exit", "/quit")
REPLY_TIMEOUT_S = 60


def shell_settings(settings: Settings) -> Settings:
    """Ports and a secret of the shell's own; conversations in var/shell.db."""
    return replace(
        settings, rasa_port=free_port(), action_port=free_port(), rasa_replicas=1,
        database_url="", redis_url="", action_token=secrets.token_urlsafe(32),
    )


def shell_db(settings: Settings) -> Path:
    return settings.runtime_dir / "shell.db"


def shell_log(settings: Settings) -> Path:
    return settings.runtime_dir / "shell.log"


def shown(path: Path) -> str:
    """``path`` as staff know it: ``var/shell.log`` when under the project."""
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def write_config(settings: Settings) -> tuple[Path, Path]:
    """The credentials and endpoints files the shell's Rasa reads, written under var/."""
    directory = settings.runtime_dir
    directory.mkdir(parents=True, exist_ok=True)
    credentials = directory / "shell-credentials.yml"
    credentials.write_text(yaml.safe_dump(CHANNELS), encoding="utf-8")
    config = endpoints(settings)
    config["tracker_store"]["db"] = str(shell_db(settings))
    config.pop("lock_store", None)
    return credentials, write_private(directory / f"endpoints-shell-{settings.rasa_port}.yml", config)


class Servers:
    """The shell's action server and Rasa server, logging to one file, stopped together."""

    def __init__(self, settings: Settings) -> None:
        credentials, self._endpoints = write_config(settings)
        log = shell_log(settings)
        self.processes = Processes(child_env(settings), logs=lambda _name: log)
        start_assistant(self.processes, settings, credentials, self._endpoints, env=self.processes.env)

    def stop(self) -> None:
        self.processes.stop(grace=15.0)
        # It holds this run's action secret, of no use to anyone once the servers are gone.
        self._endpoints.unlink(missing_ok=True)


def staff_line(turn: Turn, store: FactStore) -> str:
    """``es detected · ask_deployments 0.97 · personnel "policías"=police · facts police, unficyp · source …``."""
    parts = [f"{turn.language} {turn.language_how}", f"{turn.intent} {turn.confidence:.2f}"]
    if turn.guess:
        parts[-1] += f" (best guess {turn.guess})"
    for kind, value, said in turn.entities:
        fact = store.resolve(kind, value)
        parts.append(f'{kind} "{said}"={fact.id if fact else "not in store"}')
    if turn.actions:
        parts.append(" > ".join(turn.actions))
    if turn.facts:
        parts.append("facts " + ", ".join(dict.fromkeys(turn.facts)))
        sources = [store.find(f).source for f in dict.fromkeys(turn.facts) if store.find(f)]
        parts.append("source " + ", ".join(dict.fromkeys(f"{s.id} ({s.as_of})" for s in sources if s)))
    elif turn.unknown_names:
        parts.append("not in store: " + ", ".join(turn.unknown_names))
    if turn.rating:
        parts.append(f"rating {turn.rating}")
    return "  [" + " · ".join(parts) + "]"


class Conversation:
    """One conversation with the shell's Rasa: sends messages, reads back each turn."""

    def __init__(self, settings: Settings) -> None:
        self.url = f"{settings.rasa_url}/webhooks/rest/webhook"
        self.store_url = store_url(settings, sqlite_path=shell_db(settings))
        self.log = shown(shell_log(settings))
        self.restart()

    def restart(self) -> None:
        self.sender = f"shell-{uuid.uuid4().hex}"
        self.reader = TurnReader()
        self.last_event = 0
        self.buttons: list[dict[str, Any]] = []

    def send(self, message: str) -> tuple[list[dict[str, Any]], Optional[Turn]]:
        response = requests.post(self.url, json={"sender": self.sender, "message": message}, timeout=REPLY_TIMEOUT_S)
        response.raise_for_status()
        replies = [r for r in response.json() if isinstance(r, dict)]
        self.buttons = [b for r in replies for b in r.get("buttons") or []]
        # The REST channel files the conversation under its own namespace.
        events = read_events(self.store_url, sender=conversation_key(REST, self.sender), after_id=self.last_event)
        if events:
            self.last_event = events[-1].id
        turns = self.reader.feed(events)
        return replies, turns[-1] if turns else None

    def payload_for(self, text: str) -> str:
        """A button's payload when ``text`` is its number, else the text itself."""
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            return str(self.buttons[int(text) - 1]["payload"])
        return text


def show(replies: Sequence[dict[str, Any]]) -> None:
    number = 0
    for reply in replies:
        if reply.get("text"):
            print("bot> " + str(reply["text"]).replace("\n", "\n     "))
        titles = []
        for button in reply.get("buttons") or []:
            number += 1
            titles.append(f"[{number}] {button.get('title')}")
        if titles:
            print("     " + "  ".join(titles))


def chat(conversation: Conversation, store: FactStore) -> None:
    print(f"Type a question. {RESTART} starts afresh, a number presses that button, {EXIT[0]} or Ctrl-D leaves.")
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            print()
            return
        if not text:
            continue
        if text in EXIT:
            return
        if text == RESTART:
            conversation.restart()
            print("  [new conversation]")
            continue
        try:
            replies, turn = conversation.send(conversation.payload_for(text))
        except requests.RequestException as error:
            print(f"  [no reply: {error}; see {conversation.log}]")
            continue
        show(replies)
        if turn is not None:
            print(staff_line(turn, store), flush=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    argparse.ArgumentParser(prog="make shell", description=__doc__.splitlines()[0]).parse_args(argv)
    try:
        settings = shell_settings(Settings.from_env())
    except ConfigError as error:
        sys.exit(f"error: {error}")
    store = default_store()
    log = shown(shell_log(settings))
    print(f"Starting the assistant on ports {settings.rasa_port} and {settings.action_port} (log: {log}) ...",
          flush=True)
    servers = Servers(settings)
    try:
        seconds = asyncio.run(wait_until_answering(settings))
        print(f"Ready in {seconds:.0f} s.")
        chat(Conversation(settings), store)
    except TimeoutError as error:
        print(f"error: {error}; see {log}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print()
    finally:
        servers.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
