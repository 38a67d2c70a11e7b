"""The action server, bound to loopback, refusing to start on a broken fact store."""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.store import default_store


def main() -> None:
    from rasa_sdk.endpoint import create_app

    settings = Settings.from_env()
    default_store()  # raises FactStoreError, naming file and record, before we listen
    app = create_app("actions", cors_origins=None)
    logging.basicConfig(level=logging.WARNING)
    app.run(settings.internal_host, settings.action_port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
