// rasa-webchat 1.0.1 against the assistant, as docs/channels.md shows it; BOT is the front's address.
// The page's language comes from ?lang= (en, es, nb), as a site in that language would set it.
"use strict";

const lang = new URLSearchParams(window.location.search).get("lang") || "en";
document.documentElement.lang = lang;
window.WebChat.default({
  socketUrl: "BOT",
  socketPath: "/socket.io/",
  customData: { language: lang },
  // No initPayload: rasa-webchat then sends an empty message when its window first opens,
  // which the assistant leaves unanswered.
  title: "Norway: peace and security",
  params: { storage: "session" },
}, null);
