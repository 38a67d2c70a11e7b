"""``python -m bot.server.main run ...``: the ``rasa`` command, with this project's patches (bot/server/patches.py)."""

from __future__ import annotations

from bot.runtime.quiet import hush_libraries

hush_libraries()

from bot.server import patches  # noqa: E402  (after the filter: it imports Rasa's dependencies)


def main() -> None:
    patches.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
