"""socket.io, as Rasa's channel with this assistant's additions.

* A visitor really joins their session's room. Rasa 3.6 calls
  python-socketio's ``enter_room`` without awaiting it, which the installed
  python-socketio 5 made a coroutine, so with ``session_persistence`` no reply
  ever reached the visitor.
* Messages are read with ``bot.channels.updates``: one without words gets the
  rephrase prompt, and no data, however malformed, makes Rasa's handler fail.
* An empty or whitespace-only message gets nothing: rasa-webchat sends one
  when its window opens, and a visitor who has typed nothing has asked nothing.
* A session's conversation is ``socketio:<session id>`` (``bot.channels.keys``).
* A socket posts only into the session it asked for with ``session_request``:
  a message naming another session, or sent before any, is dropped. The
  session id stays the visitor's secret, as a REST sender id is: clients make
  it random (rasa-webchat, the tests' clients).
"""

from __future__ import annotations

import inspect
import uuid
from typing import Any, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint

from bot.channels import keys
from bot.channels.base import MessageHandler, guarded
from bot.channels.updates import read_socketio, socketio_session


class SocketIOInput(RasaSocketIOInput):
    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        safe = guarded(on_new_message, keys.SOCKETIO)
        blueprint = super().blueprint(safe)
        sio = self.sio
        assert sio is not None
        # The session each connected socket asked for.
        bound: dict[str, str] = {}

        async def session_request(sid: Text, data: Any) -> None:
            session_id = socketio_session(data) or uuid.uuid4().hex
            bound[sid] = session_id
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        async def user_message(sid: Text, data: Any) -> None:
            # Rasa's handler fails on data that is not an object or on metadata that is not JSON,
            # and a failure here is a task nobody awaits.
            message = read_socketio(data, self.metadata_key)
            if message is None or (self.session_persistence and message.session_id != bound.get(sid)):
                return
            if not message.text.strip():
                return
            sender = message.session_id if self.session_persistence else sid
            if sender is None:
                return
            output = SocketIOOutput(sio, self.bot_message_evt)
            await safe(UserMessage(message.text, output, sender, input_channel=self.name(), metadata=message.metadata))

        async def disconnect(sid: Text) -> None:
            bound.pop(sid, None)

        # Replace the handlers Rasa registered for the same events.
        sio.on("disconnect", disconnect, namespace=self.namespace)
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, user_message, namespace=self.namespace)
        return blueprint
