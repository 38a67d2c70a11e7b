// The widget other sites embed with one tag (docs/channels.md):
//   <script src="https://BOT/widget.js" data-locale="es" defer></script>
// A launcher button and a chat panel, in a shadow root so that the host page's
// CSS stays out and ours stays in. The front serves it inside /widget.js,
// after RETENTION_DAYS, the languages (CHAT_LANGUAGES, CHAT_STRINGS) and
// chat.js (mountChat); the chat is the page's own.
(() => {
  // The tag that loaded this file: its address names the assistant, its data-locale the language.
  const script = document.currentScript || document.querySelector("script[src$='/widget.js']");
  const base = new URL(script.src).origin;
  const SVG = "http://www.w3.org/2000/svg";

  // An element with attributes and children; no HTML parsing, so no markup from anywhere.
  function h(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    element.append(...children);
    return element;
  }

  function bubbleIcon() {
    const icon = document.createElementNS(SVG, "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    icon.append(path);
    return icon;
  }

  // The switch, as on the page: a button per language, showing its label ("NO" for bokmål, whose code is "nb").
  function languageButtons() {
    return CHAT_LANGUAGES.map(({ code, name, label }) =>
      h("button", { type: "button", class: "language", "data-lang": code, lang: code, "aria-pressed": "false", title: name },
        label));
  }

  // The page's markup (index.html), as a panel: a landmark-free section, since the host page has its own main.
  function panel() {
    return h("section", { id: "panel", class: "app panel", "aria-labelledby": "title", hidden: "" },
      h("header", { class: "top" },
        h("h2", { id: "title", "data-i18n": "title" }),
        h("div", { class: "languages", role: "group", "aria-labelledby": "language-label" },
          h("span", { id: "language-label", class: "visually-hidden", "data-i18n": "language" }),
          ...languageButtons()),
        h("button", { type: "button", id: "close", class: "close", "data-i18n-label": "close" },
          h("span", { "aria-hidden": "true" }, "×"))),
      h("div", { class: "conversation" },
        h("div", { class: "chat" },
          h("p", { class: "intro", "data-i18n": "intro" }),
          h("p", { class: "privacy", "data-i18n": "privacy" }),
          h("h3", { id: "log-label", class: "visually-hidden", "data-i18n": "conversation" }),
          // The live region wraps the list, as on the page: a role on the list would take its list semantics away.
          h("div", { id: "log-region", role: "log", "aria-live": "polite", "aria-relevant": "additions",
            "aria-labelledby": "log-label" }, h("ol", { id: "log", class: "log" })),
          h("p", { id: "typing", class: "typing", role: "status", hidden: "" },
            h("span", { class: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
            h("span", { "data-i18n": "typing" })),
          h("p", { id: "status", class: "status", role: "status" })),
        h("form", { id: "composer", class: "composer", autocomplete: "off" },
          h("label", { for: "message", class: "visually-hidden", "data-i18n": "label" }),
          h("input", { id: "message", name: "message", type: "text", maxlength: "1000", required: "",
            "data-i18n-placeholder": "placeholder", enterkeyhint: "send" }),
          h("button", { id: "send", type: "submit", "data-i18n": "send" })),
        h("div", { class: "tools" },
          h("button", { id: "clear", type: "button", class: "clear", "data-i18n": "clear" }))));
  }

  function start() {
    const host = document.createElement("norway-chat-widget");
    const shadow = host.attachShadow({ mode: "open" });
    const launcher = h("button", { type: "button", id: "launcher", class: "launcher", "aria-expanded": "false",
      "aria-controls": "panel", "data-i18n-label": "open" }, bubbleIcon());
    const box = panel();
    shadow.append(
      h("link", { rel: "stylesheet", href: `${base}/static/chat.css` }),
      h("link", { rel: "stylesheet", href: `${base}/static/widget.css` }),
      box, launcher);
    document.body.append(host);

    const chat = mountChat(shadow, {
      base,
      locale: script.dataset.locale || document.documentElement.lang,
      retentionDays: RETENTION_DAYS,
      keyPrefix: "norway-chat.",
      onLanguage(language) {
        host.lang = language;
      },
    });

    function toggle(open) {
      box.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      (open ? chat.input : launcher).focus();
    }

    launcher.addEventListener("click", () => toggle(box.hidden));
    shadow.getElementById("close").addEventListener("click", () => toggle(false));
    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape") toggle(false);
    });
    host.dataset.ready = "true";
  }

  start();
})();
