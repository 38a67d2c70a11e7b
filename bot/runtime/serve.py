"""``make run``: the action server, the Rasa server and the web front, as one unit.

Starts each process, waits until a warm-up message is answered, prints where
to chat, and stops everything on Ctrl-C or SIGTERM.

With ``RASA_REPLICAS=N`` it starts N pairs of Rasa server and action server
(ports ``RASA_PORT+i`` and ``ACTION_PORT+i``) behind the one web front.

A process that dies is started again after a growing pause (1, 2, 4, ... s);
meanwhile the front tells visitors the assistant is temporarily unavailable.
A process that keeps dying stops the whole service with a message naming it.
Each process gets only the secrets it uses, and ``var/`` (VAR_DIR) is its owner's alone.
How each process is started, watched and stopped is ``bot.runtime.launcher``'s.

The terminal gets a few lines of progress; each process writes its full log
to ``var/logs/<process>.log``, and the last line printed says where.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.channels.platforms import channel_names
from bot.runtime.endpoints import remove_endpoints, write_endpoints
from bot.runtime.launcher import (
    Processes, child_env, credentials_file, logs_in, shown, start_assistant, start_front, supervise,
    wait_until_all_answer, wait_until_front_serves, with_action_token, write_credentials,
)
from bot.runtime.settings import ConfigError, Settings, check_scale_out
from bot.web.guard import raise_open_file_limit


async def run() -> int:
    settings = with_action_token(Settings.from_env())
    check_scale_out(settings)
    processes = Processes(child_env(settings), logs=logs_in(logs_dir(settings)))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    secure_runtime_dir(settings.runtime_dir)
    raise_open_file_limit()
    try:
        channels = channel_names(write_credentials(processes.env, credentials_file(settings)))
        print(f"Starting… Channels: {', '.join(channels)}", flush=True)
        start_replicas(processes, settings)
        start_front(processes, processes.env, channels)
        watcher = asyncio.create_task(supervise(processes, stop))
        ready = asyncio.create_task(wait_until_all_answer(settings.replicas()))
        done, _ = await asyncio.wait({ready, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            return watcher.result()
        if ready.exception() is not None:
            print(f"error: {ready.exception()}", file=sys.stderr)
            stop.set()
            await watcher
            return 1
        await wait_until_front_serves(settings)
        print(f"Ready in {ready.result():.1f} s. Chat at http://localhost:{settings.web_port}/")
        if settings.rasa_replicas > 1:
            print(f"Rasa replicas on ports {', '.join(str(r.rasa_port) for r in settings.replicas())}")
        print(f"Press Ctrl-C to stop. Logs: {shown(logs_dir(settings))}/", flush=True)
        return await watcher
    finally:
        processes.stop()
        remove_endpoints(settings)
        print(f"Stopped. Logs: {shown(logs_dir(settings))}/", flush=True)


def logs_dir(settings: Settings) -> Path:
    return settings.runtime_dir / "logs"


def secure_runtime_dir(directory: Path) -> None:
    """``var/`` (conversations, effective endpoints) readable by its owner only, whatever it was before."""
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    for parent, folders, files in os.walk(directory):
        for name in folders:
            os.chmod(os.path.join(parent, name), 0o700)
        for name in files:
            path = os.path.join(parent, name)
            if not os.path.islink(path):
                os.chmod(path, 0o600)


def start_replicas(processes: Processes, settings: Settings) -> None:
    """Each replica's action server, then its Rasa server, pointed at that action server."""
    for index, replica in enumerate(settings.replicas()):
        suffix = f" of replica {index}" if settings.rasa_replicas > 1 else ""
        start_assistant(
            processes, replica, credentials_file(replica), write_endpoints(replica), env=child_env(replica),
            names=(f"action server{suffix}", f"Rasa server{suffix}"),
        )


def main() -> None:
    argparse.ArgumentParser(prog="python -m bot.runtime.serve", description="the assistant, until Ctrl-C").parse_args()
    # Files Rasa and the stores create (conversations, locks) are the owner's alone.
    os.umask(0o077)
    try:
        sys.exit(asyncio.run(run()))
    except ConfigError as error:
        # A setting the operator must fix: the message, not a traceback.
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
