// rasa-webchat 1.0.1 against the assistant, as docs/channels.md shows it; BOT is the front's address.
// The page's language comes from ?lang= (en, es, nb), as a site in that language would set it.
"use strict";

const query = new URLSearchParams(window.location.search);
const lang = query.get("lang") || "en";
document.documentElement.lang = lang;
window.WebChat.default({
  socketUrl: "BOT",
  socketPath: "/socket.io/",
  customData: { language: lang },
  // Sent when the window first opens. rasa-webchat's default, null, is an empty message,
  // which the assistant leaves unanswered; ?init=/greet asks for the greeting.
  initPayload: query.get("init"),
  title: "Norway: peace and security",
  params: { storage: "session" },
}, null);
