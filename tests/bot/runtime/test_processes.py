"""Ports for the servers, and stopping them with whatever they started."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bot.runtime.processes import free_port, port_is_free, signal_group, stop_groups

# Starts a grandchild in the same process group, writes its pid, then waits.
PARENT = (
    "import subprocess, sys, time; "
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
    "open(sys.argv[1], 'w').write(str(child.pid)); time.sleep(600)"
)
# Ignores SIGTERM: only SIGKILL ends it.
STUBBORN = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(600)"
)


def test_a_free_port_can_be_listened_on_and_is_then_taken() -> None:
    port = free_port()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        assert not port_is_free(port)
    assert port_is_free(port)


def test_stopping_ends_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(pid_file)], start_new_session=True)
    while not pid_file.exists() or not pid_file.read_text():
        assert parent.poll() is None
        time.sleep(0.05)
    grandchild = int(pid_file.read_text())
    assert stop_groups([parent], grace=30) == []
    assert parent.returncode == -signal.SIGTERM
    assert not _alive(grandchild)


def test_a_process_deaf_to_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    stubborn = subprocess.Popen(
        [sys.executable, "-c", STUBBORN], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert stubborn.stdout is not None and stubborn.stdout.readline() == "ready\n"
    assert stop_groups([stubborn], grace=0.5) == [stubborn]
    assert stubborn.returncode == -signal.SIGKILL
    stubborn.stdout.close()


def test_signalling_a_group_that_has_gone_is_no_error() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    gone.wait()
    signal_group(gone.pid, signal.SIGKILL)
    assert stop_groups([gone]) == []


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs, once its end has had a while to be seen (it is not our child to wait for)."""
    for _ in range(200):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        # Orphaned, it is reaped by whoever adopted it; until then it is a zombie.
        if state == "Z":
            return False
        time.sleep(0.05)
    return True
