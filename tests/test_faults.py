"""Crashed processes survived: `make run` (bot.runtime.serve) with its real children, killed with SIGKILL one after another.

While a process is down the front stays up and tells visitors, in their
language, that the assistant is temporarily unavailable (503 from the front
while Rasa is down; the same words from Rasa while the action server is);
/health says which process is down; the supervisor starts it again, and each
visitor's conversation goes on where it was. A visitor whose very first
message arrives during the crash is answered once it is over: never with an
empty reply or "did not understand". Each process holds only its own secrets,
and var/ is its owner's alone.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

import pytest
import requests

from bot.channels.bodies import load_messages
from bot.runtime.processes import free_port, stop_groups
from tests.conftest import LANGS, ROOT
from tests.servers import LOGS

pytestmark = pytest.mark.servers

# Secrets of a platform that needs no call out at start-up: made up, never used.
SLACK_ENV = {"SLACK_TOKEN": "xoxb-fault-test-token", "SLACK_SIGNING_SECRET": "fault-test-signing-secret"}
ACTION_TOKEN = "fault-test-action-token-" + uuid.uuid4().hex
UNAVAILABLE = load_messages()["temporarily_unavailable"]
# What a visitor must never get for a crash: the fallback's opening words.
NOT_UNDERSTOOD = {"en": "did not quite understand", "es": "no he entendido", "nb": "det forsto jeg ikke helt"}
MARKER = {"en": "Source:", "es": "Fuente:", "nb": "Kilde:"}
# One conversation per language: a turn before the first kill, then one after each recovery.
TURNS = {
    "en": [
        ("how many norwegian police officers are in UN missions?", ["30", "UNFICYP"]),
        ("and how many soldiers?", ["45"]),
        ("which missions are those?", ["MINUSMA", "UNTSO"]),
        ("what about Haiti?", ["MINUJUSTH"]),
    ],
    "es": [
        ("cuantos policias noruegos hay en misiones de la onu", ["30", "UNFICYP"]),
        ("¿y cuántos militares?", ["45"]),
        ("¿cuáles son esas misiones?", ["MINUSMA", "UNTSO"]),
        ("¿y en Chipre?", ["UNFICYP", "Chipre"]),
    ],
    "nb": [
        ("hvor mange norske politifolk er i FN-operasjoner?", ["om lag 30", "UNFICYP"]),
        ("og på Haiti?", ["MINUJUSTH"]),
        ("og hvor mange soldater?", ["om lag 45"]),
        ("og i Sør-Sudan?", ["UNMISS"]),
    ],
}
RECOVERY_S = 60.0


@dataclass
class Service:
    process: subprocess.Popen
    url: str
    log: Path

    def children(self) -> dict[str, int]:
        """The supervisor's children by role: "actions", "rasa", "web"."""
        roles = {"bot.runtime.action_server": "actions", "bot.server.main": "rasa", "bot.web": "web"}
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except (OSError, IndexError, ValueError):
                continue
            if ppid != self.process.pid:
                continue
            for module, role in roles.items():
                if module.encode() in command:
                    found[role] = int(entry.name)
        return found

    def environ(self, role: str) -> dict[str, str]:
        raw = Path(f"/proc/{self.children()[role]}/environ").read_bytes()
        return dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)

    def health(self) -> Optional[dict]:
        try:
            return requests.get(f"{self.url}/health", timeout=5).json()
        except (requests.RequestException, ValueError):
            return None


@pytest.fixture(scope="module")
def var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The service's var/ (VAR_DIR), readable by all as an older version or a careless copy would leave it."""
    path = tmp_path_factory.mktemp("var")
    os.chmod(path, 0o755)
    return path


@pytest.fixture(scope="module")
def leftover(var: Path) -> Path:
    """A file left in var/ readable by all."""
    path = var / "leftover.txt"
    path.write_text("old")
    os.chmod(path, 0o644)
    return path


@pytest.fixture(scope="module")
def service(var: Path, leftover: Path) -> Iterator[Service]:
    ports = {"WEB_PORT": free_port(), "RASA_PORT": free_port(), "ACTION_PORT": free_port()}
    env = {
        **os.environ, **{k: str(v) for k, v in ports.items()}, **SLACK_ENV, "ACTION_TOKEN": ACTION_TOKEN,
        "WEB_BURST": "100000", "PYTHONUNBUFFERED": "1", "VAR_DIR": str(var),
    }
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / "faults-serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.runtime.serve"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    service = Service(process, f"http://127.0.0.1:{ports['WEB_PORT']}", log)
    try:
        _until(lambda: "Ready in" in log.read_text(errors="replace"), 240, "the assistant to start")
        yield service
    finally:
        stop_groups([process], 30)


def _until(condition, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


class ReturningVisitor:
    """A visitor whose conversation must go on where it was after each fault."""

    def __init__(self, service: Service, lang: str) -> None:
        self.url = f"{service.url}/webhooks/rest/webhook"
        self.lang = lang
        self.sender = uuid.uuid4().hex
        self.turn = 0
        self.unavailable_seen = 0

    def try_turn(self) -> bool:
        """Sends the next turn; True once it is answered correctly, False for the polite "temporarily unavailable"."""
        text, expected = TURNS[self.lang][self.turn]
        body = {"sender": self.sender, "message": text, "metadata": {"locale": self.lang}}
        response = requests.post(self.url, json=body, timeout=90)
        if response.status_code == 503:
            # From the front: Rasa cannot be reached.
            assert response.json() == [{"recipient_id": self.sender, "text": UNAVAILABLE[self.lang]}]
            self.unavailable_seen += 1
            return False
        assert response.status_code == 200, response.text
        texts = [m.get("text", "") for m in response.json()]
        if texts == [UNAVAILABLE[self.lang]]:
            # From Rasa: the action server cannot be reached, and the turn was not stored.
            self.unavailable_seen += 1
            return False
        reply = "\n".join(texts)
        assert texts and NOT_UNDERSTOOD[self.lang] not in reply, (text, texts)
        assert MARKER[self.lang] in reply and all(f in reply for f in expected), (text, reply)
        self.turn += 1
        return True


def test_each_process_holds_only_its_own_secrets(service: Service) -> None:
    web, actions, rasa = service.environ("web"), service.environ("actions"), service.environ("rasa")
    for secret in ("ACTION_TOKEN", *SLACK_ENV):
        assert secret not in web, secret
    assert web["WEB_CHANNELS"] == "rest,socketio,privacy,slack"
    assert actions["ACTION_TOKEN"] == ACTION_TOKEN and not set(SLACK_ENV) & set(actions)
    assert all(rasa[name] == value for name, value in SLACK_ENV.items())


def test_var_is_its_owners_alone(service: Service, var: Path, leftover: Path) -> None:
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE(leftover.stat().st_mode) == 0o600
    for path in var.iterdir():
        if path.is_file() and path.stat().st_uid == os.getuid():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name


def test_killed_processes_come_back_and_conversations_go_on(service: Service) -> None:
    visitors = [ReturningVisitor(service, lang) for lang in LANGS]
    for visitor in visitors:
        assert visitor.try_turn()
    front = service.children()["web"]
    for killed in (("actions",), ("rasa",), ("actions", "rasa")):
        recovery = _kill_and_recover(service, visitors, killed)
        print(f"\nkilled {'+'.join(killed)}: answered correctly again after {recovery:.1f} s; "
              f"polite 503s meanwhile: {sum(v.unavailable_seen for v in visitors)}")
        if "rasa" in killed:
            # Rasa needs seconds to load its model: meanwhile visitors got the polite 503 in their language.
            assert all(visitor.unavailable_seen for visitor in visitors)
    # The front was never restarted: it stayed up throughout.
    assert service.children()["web"] == front
    assert (service.health() or {}).get("status") == "ok"


def _kill_and_recover(service: Service, visitors: list[ReturningVisitor], killed: tuple[str, ...]) -> float:
    """Kills ``killed`` with SIGKILL; seconds until every visitor's next turn is answered correctly."""
    for visitor in visitors:
        visitor.unavailable_seen = 0
    children = service.children()
    for role in killed:
        os.kill(children[role], signal.SIGKILL)
    killed_at = time.monotonic()
    report: dict = {}

    def reports_down() -> bool:
        report.clear()
        report.update(service.health() or {})
        return all(report.get(role) == "down" for role in killed)

    # The front stays up and says which process is down.
    _until(reports_down, 15, f"/health to report {'+'.join(killed)} down")
    assert report["status"] == "unavailable"
    pending = list(visitors)
    while pending:
        elapsed = time.monotonic() - killed_at
        assert elapsed < RECOVERY_S, f"no correct answer {RECOVERY_S:.0f} s after killing {'+'.join(killed)}"
        pending = [visitor for visitor in pending if not visitor.try_turn()]
        time.sleep(0.5)
    return time.monotonic() - killed_at


@pytest.mark.parametrize("killed", ["actions", "rasa"])
def test_a_visitor_whose_first_message_meets_a_crash_is_answered_once_it_is_over(service: Service, killed: str) -> None:
    ongoing = [ReturningVisitor(service, lang) for lang in LANGS]
    for visitor in ongoing:
        assert visitor.try_turn()
    newcomers = [ReturningVisitor(service, lang) for lang in LANGS]
    os.kill(service.children()[killed], signal.SIGKILL)
    killed_at = time.monotonic()
    # At once, before the supervisor notices: each newcomer's first message, then both keep writing.
    pending = newcomers + ongoing
    while pending:
        assert time.monotonic() - killed_at < RECOVERY_S, f"no correct answer {RECOVERY_S:.0f} s after killing {killed}"
        pending = [visitor for visitor in pending if not visitor.try_turn()]
        time.sleep(0.5)
    print(f"\nkilled {killed}: newcomers and ongoing visitors answered correctly after "
          f"{time.monotonic() - killed_at:.1f} s; polite replies meanwhile: {sum(v.unavailable_seen for v in newcomers + ongoing)}")
    # The newcomers' conversations go on, with their context.
    for visitor in newcomers:
        assert visitor.try_turn()
