"""A turn that must not be stored: the action server could not run an action, or the conversation is full.

Rasa 3.6 logs a custom action that fails (the action server is down, or
restarting after a crash) and carries on as if it had returned nothing: a new
visitor's ``action_session_start`` then leaves a conversation without a
session, which the policies never recover from ("Circuit breaker tripped",
an empty reply for good), and a visitor mid-conversation gets a fallback or
nothing. Here such a turn is noted (:func:`reported`, around
``RemoteAction.run``), the tracker store does not save it
(``bot.server.tracker_store``), and the channel answers "temporarily
unavailable" instead (``bot.channels.base``). The conversation stays as it
was before the message, so the next message after the restart is answered as
if the outage had never been.

The state lives in a context variable set by the channel for each message:
Rasa handles a message in one task, from the channel's handler down to the
store, and the object is shared, so a copy of the context (a task Rasa starts
within the turn) still sees it.
"""

from __future__ import annotations

import functools
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional

log = logging.getLogger(__name__)

UNAVAILABLE = "temporarily_unavailable"
FULL = "conversation_full"


@dataclass
class Turn:
    """What went wrong in the turn being handled; ``problem`` names the reply in ``messages.yml``."""

    problem: Optional[str] = None
    # The conversation's language as the store saw it, for the reply.
    language: Optional[str] = None

    def fail(self, problem: str) -> None:
        # The first problem wins: a full conversation stays full whatever fails afterwards.
        self.problem = self.problem or problem


_current: ContextVar[Optional[Turn]] = ContextVar("turn", default=None)


def begin() -> Turn:
    """A new turn, current for the rest of the calling task (one message)."""
    turn = Turn()
    _current.set(turn)
    return turn


def current() -> Optional[Turn]:
    """The turn being handled; None outside a channel's handler (the tests, the shell's own calls)."""
    return _current.get()


RemoteRun = Callable[..., Awaitable[Any]]


def reported(run: RemoteRun) -> RemoteRun:
    """``RemoteAction.run`` that marks the turn unavailable when the action server fails, then fails as before.

    A rejection (the action server's 400, a form refusing a value) is an answer, not a failure.
    """
    from rasa.core.actions.action import ActionExecutionRejection

    @functools.wraps(run)
    async def run_reported(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await run(self, *args, **kwargs)
        except ActionExecutionRejection:
            raise
        except Exception:
            turn = current()
            if turn is not None:
                turn.fail(UNAVAILABLE)
            raise

    run_reported.reports_failures = True  # type: ignore[attr-defined]
    return run_reported
