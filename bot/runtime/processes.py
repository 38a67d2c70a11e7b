"""Child processes of the assistant's servers: a loopback port for each, and stopping them.

Every server is started in a session of its own (``start_new_session=True``),
so that stopping its process group also stops whatever it started in turn.
``make run``, ``make shell``, the benchmark and the tests all stop theirs here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from typing import Sequence

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A port no one listens on at the moment, chosen by the system."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
            return True
        except OSError:
            return False


def signal_group(pid: int, signum: int) -> None:
    """``signum`` to the process group that ``pid`` leads, unless it has already gone."""
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass


def stop_groups(children: Sequence[subprocess.Popen], grace: float = 15.0) -> list[subprocess.Popen]:
    """SIGTERM to each child's process group, SIGKILL to those still there after ``grace`` seconds.

    Returns the children that had to be killed.
    """
    for child in children:
        if child.poll() is None:
            signal_group(child.pid, signal.SIGTERM)
    killed = []
    for child in children:
        try:
            child.wait(grace)
        except subprocess.TimeoutExpired:
            signal_group(child.pid, signal.SIGKILL)
            child.wait()
            killed.append(child)
    return killed
