"""``python -m bot.server.main run ...``: the ``rasa`` command, with this project's patches (bot/server/patches.py)."""

from __future__ import annotations

import sys

from bot.runtime.quiet import hush_libraries

# TensorFlow's TFLite converter imports JAX when it is installed (TensorFlow 2.12 requires it), only to
# convert JAX functions, which nothing here does; an absent module is an ImportError it already handles.
# Kept out, the Rasa server is about 65 MB smaller and starts 0.6 s sooner (docs/performance.md).
sys.modules["jax"] = None  # type: ignore[assignment]

hush_libraries()

# Imported before Rasa and TensorFlow: on import, skops (which loads the intent classifier) looks up the
# module of each scikit-learn type by scanning every loaded module, about 1 s now and 5-6 s after them.
import skops.io  # noqa: E402,F401

from bot.server import patches  # noqa: E402  (after the filter: it imports Rasa's dependencies)


def main() -> None:
    patches.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
