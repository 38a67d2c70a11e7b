"""Every change this project makes to Rasa's own code, in one place, for one Rasa version.

Each patch replaces a private part of Rasa 3.6.21 and is justified by a
measurement (docs/performance.md names each one with its figures); each has a
test in ``tests/bot/server/test_patches.py`` that fails when the Rasa
behaviour it relies on changes. ``install`` first checks Rasa's version and
stops on any other: a patch of a private API is only known to be right for
the version it was measured and tested on.

- Rasa checks every action server reply with ``jsonschema.validate``, which
  first re-checks the large events schema itself: 18 ms of a 43 ms turn.
  Here each event is checked against the one branch of the schema its
  ``event`` name selects, with validators built once: the schema's ``oneOf``
  would try all 23 branches, which the names tell apart. The same replies are
  accepted and rejected (mean CPU per turn x0.955).
- Rasa opens a new HTTP session, and so a new connection, for every action
  call. Here the sessions share one pool of kept-alive connections per event
  loop.
- Rasa schedules its prediction graph with dask on every run;
  ``bot.server.graph_runner`` runs the same nodes in dependency order
  (63 -> 57 ms a turn).
- Rasa's ``FailSafeTrackerStore``, around every tracker store, creates a new
  conversation's tracker itself, as a plain tracker: the cached store then
  counts the stored events with the ORM and replays the tracker into one of
  its own, twice per new conversation. Here the wrapped store creates it
  (6.94 -> 6.39 ms of CPU per new conversation's first message).
- Rasa deep-copies events, parses and dialogue states on every turn only to
  pass them to debug log lines, and copies them even when debug logging is
  off. Here they are copied only when the line would be written (x0.975).
- Rasa's ``RulePolicy`` looks its rules up twice after each message, once
  with the message's text and once with its intent. When every rule's last
  turn names an intent, no rule can match a text, and the first lookup is
  skipped: it could only find nothing (x0.935).
- Loading a model allocates and frees a great deal (the pipeline's models,
  lingua's n-gram tables); glibc keeps the freed pages. Here the heap is
  trimmed once the agent is loaded (Rasa server RSS after load about
  -25 MB, docs/performance.md).
- A custom action that fails (the action server down or restarting) marks
  the turn (``bot.server.turn``): it is not stored, and the visitor is told
  the assistant is temporarily unavailable, where Rasa would store a
  conversation without its session start and answer it with nothing from
  then on (tests/test_faults.py).
"""

from __future__ import annotations

import asyncio
import copy
import ctypes
import ctypes.util
import functools
import logging
from functools import lru_cache
from types import ModuleType
from typing import Any, Callable, Dict, Iterable, Optional, Text, Tuple

import aiohttp

# The one Rasa version these patches were measured and tested on.
TESTED_RASA_VERSION = "3.6.21"


class UntestedRasaVersion(SystemExit):
    """Rasa is not the version the patches were tested on: the server must not start."""


def check_version(version: Optional[str] = None) -> None:
    """Stops, naming both versions, unless Rasa is the version the patches were tested on."""
    if version is None:
        from rasa import __version__ as version
    if version != TESTED_RASA_VERSION:
        raise UntestedRasaVersion(
            f"Rasa {version} is installed, but bot/server/patches.py was tested on Rasa {TESTED_RASA_VERSION} "
            "only: its patches replace private parts of Rasa that may differ. Install the pinned set "
            "(make install, requirements.lock), or re-measure and re-test each patch on the new version "
            "and update TESTED_RASA_VERSION."
        )


# Below the action server's own keep-alive timeout (Sanic: 5 s), so that a
# connection is never reused just as the server closes it.
KEEPALIVE_S = 4.0
_pool: Optional[tuple[asyncio.AbstractEventLoop, aiohttp.TCPConnector]] = None


# What a reply holds besides its events; each event is checked on its own.
REPLY_SCHEMA = {
    "type": "object",
    "properties": {"events": {"type": "array"}, "responses": {"type": "array", "items": {"type": "object"}}},
}


@lru_cache(maxsize=1)
def _reply_validators() -> Tuple[Any, Dict[Text, Any]]:
    """A validator of the reply around its events, and one per event name: the schema's checks, then its branch's."""
    from jsonschema.validators import validator_for
    from rasa.shared.utils.schemas.events import EVENT_SCHEMA

    def built(schema: Dict[Text, Any]) -> Any:
        validator_class = validator_for(schema)
        validator_class.check_schema(schema)
        return validator_class(schema)

    common = {key: value for key, value in EVENT_SCHEMA.items() if key != "oneOf"}
    by_name = {branch["properties"]["event"]["const"]: built({"allOf": [common, branch]})
               for branch in EVENT_SCHEMA["oneOf"]}
    return built(REPLY_SCHEMA), by_name


def _check_reply(result: Any) -> None:
    from jsonschema import ValidationError

    reply, by_name = _reply_validators()
    reply.validate(result)
    for event in result.get("events") or []:
        name = event.get("event") if isinstance(event, dict) else None
        if not isinstance(name, str) or name not in by_name:
            raise ValidationError(f"{event!r} is not valid under any of the given schemas")
        by_name[name].validate(event)


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _check_reply(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error


class DebugOnlyCopies:
    """Stands in for the ``copy`` module of a Rasa module that copies values only to log them at debug level."""

    def __init__(self, logger_name: Text) -> None:
        # Rasa's structlog drops a line its module's standard logger would not write.
        self._logger = logging.getLogger(logger_name)

    def deepcopy(self, value: Any, memo: Optional[Dict[int, Any]] = None) -> Any:
        return copy.deepcopy(value, memo) if self._logger.isEnabledFor(logging.DEBUG) else value


def debug_copying_modules() -> Iterable[ModuleType]:
    """The Rasa modules whose every use of ``copy`` feeds a debug log line (a test reads their source)."""
    import rasa.core.policies.memoization
    import rasa.core.policies.rule_policy
    import rasa.core.processor

    return (rasa.core.processor, rasa.core.policies.rule_policy, rasa.core.policies.memoization)


def rules_read_text(policy: Any) -> bool:
    """Whether some rule's last turn names no intent, so that a message's text alone could match it."""
    from rasa.core.policies.rule_policy import RULES
    from rasa.shared.core.constants import USER
    from rasa.shared.nlu.constants import INTENT

    return any(INTENT not in policy._rule_key_to_state(key)[-1].get(USER, {}) for key in policy.lookup.get(RULES, {}))


_rasa_find_action_from_rules: Optional[Callable[..., Tuple[Optional[Text], Optional[Text], bool]]] = None


def _find_action_from_rules(
    self: Any, tracker: Any, domain: Any, use_text_for_last_user_input: bool
) -> Tuple[Optional[Text], Optional[Text], bool]:
    """``RulePolicy._find_action_from_rules``; the lookup by text answers "no rule" at once when none can match.

    With no active loop, that answer's source and loop flag are never read.
    """
    if use_text_for_last_user_input and not tracker.active_loop_name and not rules_read_text(self):
        return None, None, False
    assert _rasa_find_action_from_rules is not None
    return _rasa_find_action_from_rules(self, tracker, domain, use_text_for_last_user_input)


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


def release_freed_memory() -> bool:
    """Returns the heap's freed pages to the system (glibc's ``malloc_trim``); False where there is none."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.malloc_trim(0))
    except (OSError, AttributeError):
        return False


def trimmed_after(load: Callable[..., Any]) -> Callable[..., Any]:
    """``rasa.core.agent.load_agent``, releasing what loading freed once the agent is ready."""

    @functools.wraps(load)
    async def load_agent(*args: Any, **kwargs: Any) -> Any:
        loaded = await load(*args, **kwargs)
        release_freed_memory()
        return loaded

    load_agent.trims = True  # type: ignore[attr-defined]
    return load_agent


def install() -> None:
    """Applies every patch; stops first on an untested Rasa version."""
    global _rasa_find_action_from_rules
    check_version()
    from rasa.core.actions.action import RemoteAction
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.utils.endpoints import EndpointConfig

    from bot.server.graph_runner import run_in_order
    from bot.server.turn import reported

    import rasa.core.agent

    if not getattr(rasa.core.agent.load_agent, "trims", False):
        rasa.core.agent.load_agent = trimmed_after(rasa.core.agent.load_agent)
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    if not getattr(RemoteAction.run, "reports_failures", False):
        RemoteAction.run = reported(RemoteAction.run)  # type: ignore[method-assign]
    EndpointConfig.session = _session  # type: ignore[method-assign]
    DaskGraphRunner.run = run_in_order  # type: ignore[method-assign]
    FailSafeTrackerStore.init_tracker = _init_tracker  # type: ignore[method-assign]
    for module in debug_copying_modules():
        module.copy = DebugOnlyCopies(module.__name__)  # type: ignore[attr-defined]
    if RulePolicy._find_action_from_rules is not _find_action_from_rules:
        _rasa_find_action_from_rules = RulePolicy._find_action_from_rules
        RulePolicy._find_action_from_rules = _find_action_from_rules  # type: ignore[method-assign]
