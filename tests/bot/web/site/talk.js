// What a socket.io widget such as rasa-webchat does, with the standard socket.io client:
// connect, ask for a session, send a message with the locale in customData, collect replies.
"use strict";

// It finishes at the reply that cites a source ("Source:", "Fuente:", "Kilde:"), or after a minute.
window.talk = (bot, text, transports, locale = "es", marker = "Fuente") => new Promise((resolve) => {
  const socket = io(bot, { path: "/socket.io/", transports, reconnection: false, timeout: 10000 });
  const replies = [];
  const finish = (result) => {
    socket.close();
    resolve(result);
  };
  socket.on("connect_error", (error) => finish({ connected: false, error: String(error && error.message) }));
  // A first visit: no session yet, the server issues one.
  socket.on("connect", () => socket.emit("session_request", { session_id: null }));
  socket.on("session_confirm", (sessionId) => {
    socket.emit("user_uttered", { message: text, session_id: sessionId, customData: { locale } });
  });
  socket.on("bot_uttered", (message) => {
    replies.push(message);
    if (String(message.text).startsWith(marker)) {
      finish({ connected: true, replies, transport: socket.io.engine.transport.name });
    }
  });
  setTimeout(() => finish({ connected: socket.connected, replies, timedOut: true }), 60000);
});
