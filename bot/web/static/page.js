// The chat page: the chat of chat.js on this page's own markup (index.html).
"use strict";

(() => {
  mountChat(document, {
    base: "",
    retentionDays: Number(document.body.dataset.retentionDays),
    onLanguage(language, t) {
      document.documentElement.lang = language;
      document.title = t("pageTitle");
    },
  });
  document.body.classList.add("ready");
})();
