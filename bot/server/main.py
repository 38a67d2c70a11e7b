"""``python -m bot.server.main run ...``: the ``rasa`` command, with four measured fixes.

- Rasa 3.6 checks every action server reply with ``jsonschema.validate``,
  which first re-checks the large events schema itself: 18 ms of a 43 ms turn
  (docs/performance.md). The same check, with a validator built once, takes
  well under a millisecond and rejects exactly the same replies.
- Rasa opens a new HTTP session, and so a new connection, for every action
  call. Here the sessions share one pool of kept-alive connections per event
  loop (docs/performance.md has the figures).
- Rasa schedules its prediction graph with dask on every run;
  ``bot.server.graph_runner`` runs the same nodes in dependency order.
- Rasa's ``FailSafeTrackerStore``, around every tracker store, creates a new
  conversation's tracker itself, as a plain tracker: the cached store then
  counts the stored events with the ORM and replays the tracker into one of
  its own, twice per new conversation. Here the wrapped store creates it.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any, Dict, Optional, Text

import aiohttp

# Below the action server's own keep-alive timeout (Sanic: 5 s), so that a
# connection is never reused just as the server closes it.
KEEPALIVE_S = 4.0
_pool: Optional[tuple[asyncio.AbstractEventLoop, aiohttp.TCPConnector]] = None


@lru_cache(maxsize=1)
def _action_reply_validator():  # type: ignore[no-untyped-def]
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _action_reply_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error


def _connections() -> aiohttp.TCPConnector:
    """This event loop's pool of kept-alive connections."""
    global _pool
    loop = asyncio.get_running_loop()
    if _pool is None or _pool[0] is not loop or _pool[1].closed:
        _pool = (loop, aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S))
    return _pool[1]


async def close_connections() -> None:
    """Closes this event loop's pool (a server's pool lives as long as its process)."""
    global _pool
    if _pool is not None and _pool[0] is asyncio.get_running_loop():
        await _pool[1].close()
        _pool = None


def _session(self: Any) -> aiohttp.ClientSession:
    """Rasa's ``EndpointConfig.session``, on the shared pool: closing the session keeps the connections."""
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=_connections(),
        connector_owner=False,
    )


def _init_tracker(self: Any, sender_id: Text) -> Any:
    """``FailSafeTrackerStore.init_tracker``: a tracker of the kind the wrapped store keeps."""
    return self._tracker_store.init_tracker(sender_id)


def install() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.utils.endpoints import EndpointConfig

    from bot.server.graph_runner import run_in_order

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    EndpointConfig.session = _session  # type: ignore[method-assign]
    DaskGraphRunner.run = run_in_order  # type: ignore[method-assign]
    FailSafeTrackerStore.init_tracker = _init_tracker  # type: ignore[method-assign]


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
