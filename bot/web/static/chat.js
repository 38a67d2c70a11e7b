// The chat, for the page (page.js) and the widget other sites embed (launcher.js):
// mountChat(root, options) wires the chat markup found in `root` (the page's
// document, or the widget's shadow root) to the assistant over Rasa's REST
// channel. Every text from the assistant is set with textContent; only http(s)
// URLs become links. Replies carry two bits of Markdown, rendered here: links,
// "[text](https://...)", and numbered list items, "1. ...", one a line.
// All the messages the assistant sends back for one question make one card:
// its paragraphs, each source ("Source: [title](url)") as a citation under the
// paragraph it names, the rating as two icon buttons, suggestions as chips.
// No build step: the page gets this file as it is, after /languages.js (the
// languages and their words, as data), and the front serves /widget.js as
// that data, this file and launcher.js.
"use strict";

// options: base (the assistant's origin, "" for this one), locale (preferred
// language), retentionDays (for the privacy notice), keyPrefix (sessionStorage
// keys), onLanguage(language, t) (what else follows the language).
function mountChat(root, options) {
  // The languages, the default first, and the page's own words in each (the assistant's come from it):
  // CHAT_LANGUAGES and CHAT_STRINGS, which the front writes before this file from bot/languages.yml
  // and bot/web/strings.yml (/languages.js on the page, the start of /widget.js).
  const LANGUAGES = CHAT_LANGUAGES.map((entry) => entry.code);
  const WEBHOOK = `${options.base || ""}/webhooks/rest/webhook`;
  const FORGET = `${options.base || ""}/webhooks/privacy/forget`;
  const URL_PATTERN = /https?:\/\/[^\s<>"'«»]+/g;
  const LINK_PATTERN = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g;
  const ITEM_PATTERN = /^(\d+)\.\s+(.*)$/;
  // A line that is only a short label and one link ("Source: [title](url)", "Fuente: ...") is a citation.
  const CITATION_PATTERN = /^[^\s\[\]:][^\[\]:\n]{0,24}:\s*\[[^\]\n]+\]\(https?:\/\/[^\s)]+\)\s*$/;
  // What a button title starts with that is not a word ("👍 Yes"): the icon shows it instead.
  const LEADING_SYMBOLS = /^[^\p{L}\p{N}]+/u;
  const SVG = "http://www.w3.org/2000/svg";
  // A thumb (the "thumb_up" of Google's Material Icons, Apache-2.0); the "down" one is the same, turned over.
  const THUMB = "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z";
  // Sentence punctuation right after a URL belongs to the sentence, not the URL.
  const TRAILING = /[.,;:!?)\]}]+$/;
  // The rating buttons on an answer: a rating counts once, and only for the latest answer.
  const RATING_PAYLOAD = "/rate_answer";
  const store = window.sessionStorage;
  const key = (name) => (options.keyPrefix || "chat.") + name;

  const $ = (id) => root.querySelector(`#${id}`);
  const log = $("log");
  const typing = $("typing");
  const form = $("composer");
  const input = $("message");
  const status = $("status");

  let language = initialLanguage();
  let queue = Promise.resolve();
  let pending = 0;
  let lastId = 0; // for the ids that tie a card's groups to their labels

  function initialLanguage() {
    const chosen = store.getItem(key("language"));
    if (LANGUAGES.includes(chosen)) return chosen;
    const preferred = options.locale ? [options.locale] : navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
    for (const tag of preferred) {
      // Each language names the primary subtags that mean it: "nn-NO" and "no" are bokmål's.
      const primary = String(tag).toLowerCase().split(/[-_]/)[0];
      const match = CHAT_LANGUAGES.find((entry) => entry.locales.includes(primary));
      if (match) return match.code;
    }
    return LANGUAGES[0];
  }

  // An unguessable id: anyone who knows it can read the conversation's replies.
  function senderId() {
    let id = store.getItem(key("sender"));
    if (!id) {
      const bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      store.setItem(key("sender"), id);
    }
    return id;
  }

  function t(name) {
    return CHAT_STRINGS[language][name].replace("{days}", String(options.retentionDays));
  }

  function applyLanguage() {
    for (const element of root.querySelectorAll("[data-i18n]")) {
      element.textContent = t(element.dataset.i18n);
    }
    for (const element of root.querySelectorAll("[data-i18n-placeholder]")) {
      element.placeholder = t(element.dataset.i18nPlaceholder);
    }
    for (const element of root.querySelectorAll("[data-i18n-label]")) {
      element.setAttribute("aria-label", t(element.dataset.i18nLabel));
    }
    for (const button of root.querySelectorAll("button.language")) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === language));
    }
    if (options.onLanguage) options.onLanguage(language, t);
  }

  function setLanguage(next) {
    language = next;
    store.setItem(key("language"), language);
    applyLanguage();
  }

  function chooseLanguage(next) {
    if (next === language || !LANGUAGES.includes(next)) return;
    setLanguage(next);
    // Mid-conversation, the assistant switches too (and says so, in the new
    // language): the switch takes its language from the locale sent with it.
    if (store.getItem(key("started"))) {
      enqueue("/switch_language", null);
    }
  }

  // Each reply says its language: when the assistant switches (an English
  // question on a Spanish page), the labels follow.
  function followReply(message) {
    const replied = message && message.metadata && message.metadata.language;
    if (LANGUAGES.includes(replied) && replied !== language) setLanguage(replied);
    // The conversation's token: what proves it is this visitor's when they clear it.
    const token = message && message.metadata && message.metadata.token;
    if (typeof token === "string" && token) store.setItem(key("token"), token);
  }

  // -- rendering -----------------------------------------------------------

  // The newest entry into view: its end, or, for a card taller than the view, its start, so that
  // an answer is read from its first line.
  function scrollToEnd() {
    log.lastElementChild && log.lastElementChild.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function addEntry(who, className) {
    const item = document.createElement("li");
    item.className = `message ${className}`;
    const speaker = document.createElement("span");
    speaker.className = "visually-hidden";
    speaker.textContent = t(who) + " ";
    item.append(speaker);
    log.append(item);
    return item;
  }

  function showUser(text) {
    const item = addEntry("you", "from-user");
    const body = document.createElement("p");
    body.className = "text";
    body.textContent = text;
    item.append(body);
    scrollToEnd();
  }

  function showNotice(key) {
    const item = addEntry("assistant", "from-bot notice");
    const body = document.createElement("p");
    body.className = "text";
    body.textContent = t(key);
    item.append(body);
    scrollToEnd();
  }

  // A reply as paragraphs and numbered lists: lines "1. ..." in a row make one list.
  function formatted(text) {
    const fragment = document.createDocumentFragment();
    let list = null;
    for (const line of text.split("\n")) {
      const item = line.match(ITEM_PATTERN);
      if (item) {
        if (!list) fragment.append((list = document.createElement("ol")));
        const entry = document.createElement("li");
        entry.value = Number(item[1]);
        entry.append(inline(item[2]));
        list.append(entry);
        continue;
      }
      list = null;
      if (!line.trim()) continue;
      const paragraph = document.createElement("p");
      if (CITATION_PATTERN.test(line)) paragraph.className = "citation";
      paragraph.append(inline(line));
      fragment.append(paragraph);
    }
    return fragment;
  }

  // Links written "[text](url)" show their text; bare URLs are linked as they are.
  function inline(text) {
    const fragment = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(LINK_PATTERN)) {
      const url = safeUrl(match[2]);
      if (!url) continue;
      fragment.append(linkified(text.slice(last, match.index)));
      fragment.append(link(url, match[1]));
      last = match.index + match[0].length;
    }
    fragment.append(linkified(text.slice(last)));
    return fragment;
  }

  // Text with every http(s) URL turned into a link; all else stays plain text.
  function linkified(text) {
    const fragment = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      const raw = match[0].replace(TRAILING, "");
      const url = safeUrl(raw);
      if (!url) continue;
      fragment.append(document.createTextNode(text.slice(last, match.index)));
      fragment.append(link(url, raw));
      last = match.index + raw.length;
    }
    fragment.append(document.createTextNode(text.slice(last)));
    return fragment;
  }

  function safeUrl(raw) {
    try {
      const url = new URL(raw);
      return url.protocol === "http:" || url.protocol === "https:" ? url : null;
    } catch (_) {
      return null;
    }
  }

  function link(url, label) {
    const anchor = document.createElement("a");
    anchor.href = url.href;
    anchor.textContent = label;
    anchor.target = "_blank";
    anchor.rel = "noopener noreferrer";
    const hint = document.createElement("span");
    hint.className = "visually-hidden";
    hint.textContent = " " + t("newTab");
    anchor.append(hint);
    return anchor;
  }

  // One card for all the replies to one question: paragraphs and citations in
  // its text, the rating on it, suggestions under it. Built whole, then added
  // to the log at once, so that the live region announces the answer once.
  function showTurn(messages) {
    const card = { text: document.createElement("div"), rating: null, chips: [] };
    card.text.className = "text";
    for (const message of messages) addToCard(card, message);
    if (!card.text.childElementCount && !card.rating && !card.chips.length) return;
    if (card.rating) disableRatings();
    const item = addEntry("assistant", "from-bot card");
    const body = document.createElement("div");
    body.className = "card-body";
    if (card.text.childElementCount) body.append(card.text);
    if (card.rating) body.append(card.rating);
    item.append(body, ...card.chips);
    scrollToEnd();
  }

  function addToCard(card, message) {
    const text = typeof message.text === "string" ? message.text.trim() : "";
    const buttons = Array.isArray(message.buttons) ? message.buttons.filter(isButton) : [];
    const ratings = buttons.filter(isRating);
    const chips = buttons.filter((button) => !isRating(button));
    if (ratings.length) {
      card.rating = ratingGroup(text, ratings);
    } else if (chips.length && card.text.childElementCount && text) {
      // A later message's words introduce its chips ("You can also ask about:").
      card.chips.push(chipGroup(chips, text));
      return;
    } else if (text) {
      card.text.append(formatted(text));
    }
    if (chips.length) card.chips.push(chipGroup(chips, null));
  }

  function isButton(button) {
    return button && typeof button.title === "string" && typeof button.payload === "string";
  }

  function isRating(button) {
    return button.payload.startsWith(RATING_PAYLOAD);
  }

  function disableRatings() {
    for (const button of log.querySelectorAll("button.rating")) button.disabled = true;
  }

  // The assistant's own words for a button, without the emoji it starts with ("👍 Yes" is "Yes").
  function buttonName(title) {
    return title.replace(LEADING_SYMBOLS, "").trim() || title;
  }

  // Suggestions, as chips under the card; ``label`` is the words that introduce them, if any.
  function chipGroup(buttons, label) {
    const group = document.createElement("div");
    group.className = "buttons";
    group.setAttribute("role", "group");
    if (label) {
      const caption = document.createElement("p");
      caption.className = "chips-label";
      caption.id = uniqueId("chips");
      caption.textContent = label;
      group.setAttribute("aria-labelledby", caption.id);
      group.append(caption);
    } else {
      group.setAttribute("aria-label", t("options"));
    }
    for (const { title, payload } of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "quick-reply";
      button.textContent = title;
      button.addEventListener("click", () => send(payload, title));
      group.append(button);
    }
    return group;
  }

  // The rating on the card: its question, then 👍/👎 as drawn icons named by their titles' words.
  function ratingGroup(question, buttons) {
    const group = document.createElement("div");
    group.className = "rating-group";
    group.setAttribute("role", "group");
    if (question) {
      const caption = document.createElement("span");
      caption.className = "rating-label";
      caption.id = uniqueId("rating");
      caption.textContent = question;
      group.setAttribute("aria-labelledby", caption.id);
      group.append(caption);
    }
    buttons.forEach(({ title, payload }, index) => {
      const name = buttonName(title);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "rating";
      button.title = name;
      const label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = name;
      button.append(thumb(ratingOf(payload, index)), label);
      button.addEventListener("click", () => {
        disableRatings();
        button.setAttribute("aria-pressed", "true");
        send(payload, name);
      });
      group.append(button);
    });
    return group;
  }

  // "up" or "down", from the payload's entity; failing that, the first button is the thumb up.
  function ratingOf(payload, index) {
    try {
      const rating = JSON.parse(payload.slice(RATING_PAYLOAD.length)).rating;
      if (rating === "up" || rating === "down") return rating;
    } catch (_) {
      // No entity: fall back on the order.
    }
    return index === 0 ? "up" : "down";
  }

  function thumb(direction) {
    const icon = document.createElementNS(SVG, "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("focusable", "false");
    icon.classList.add("icon", direction);
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", THUMB);
    icon.append(path);
    return icon;
  }

  function uniqueId(prefix) {
    lastId += 1;
    return `${prefix}-${lastId}`;
  }

  function send(payload, shown) {
    enqueue(payload, shown);
    input.focus();
  }

  function setTyping(on) {
    pending += on ? 1 : -1;
    // No aria-busy on the log: screen readers would hold back the replies it announces.
    typing.hidden = pending === 0;
    if (pending > 0) typing.scrollIntoView({ block: "end" });
  }

  // -- talking to the assistant -------------------------------------------

  // Messages go one at a time, so replies stay in the order of the questions.
  // Each carries the page's language as it was when sent: a reply arriving
  // meanwhile must not undo a switch the visitor just made.
  function enqueue(message, shown) {
    if (shown !== null) showUser(shown);
    const locale = language;
    queue = queue.then(() => deliver(message, locale));
    return queue;
  }

  async function deliver(message, locale) {
    setTyping(true);
    try {
      const response = await fetch(WEBHOOK, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ sender: senderId(), message, metadata: { locale } }),
        // The conversation is named by its random sender id, never by a cookie.
        credentials: "omit",
      });
      if (!response.ok) return showNotice(noticeFor(response.status));
      store.setItem(key("started"), "1");
      const replies = await response.json();
      if (!Array.isArray(replies)) return showNotice("unreachable");
      // The replies to one message come in one response: they are one turn, one card.
      replies.forEach(followReply);
      showTurn(replies.filter((reply) => reply && typeof reply === "object"));
    } catch (_) {
      showNotice("unreachable");
    } finally {
      setTyping(false);
    }
  }

  function noticeFor(status) {
    if (status === 429) return "tooFast";
    // The front answers 503 while the assistant behind it restarts.
    if (status === 503) return "unavailable";
    if (status >= 400 && status < 500) return "rejected";
    return "unreachable";
  }

  function onSubmit(event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    enqueue(text, text);
  }

  // "Clear conversation": the assistant deletes it, and the next message starts a new one.
  function clear() {
    queue = queue.then(forget);
    return queue;
  }

  async function forget() {
    // A bare sender id deletes nothing: the assistant wants the token its replies carried.
    const token = store.getItem(key("token"));
    try {
      if (token) {
        const response = await fetch(FORGET, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ sender: token }),
          credentials: "omit",
        });
        if (!response.ok) throw new Error(String(response.status));
      }
    } catch (_) {
      announce("clearFailed");
      return;
    }
    store.removeItem(key("token"));
    store.removeItem(key("sender"));
    store.removeItem(key("started"));
    log.replaceChildren();
    announce("cleared");
    input.focus();
  }

  function announce(name) {
    status.textContent = t(name);
  }

  function start() {
    applyLanguage();
    form.addEventListener("submit", onSubmit);
    for (const button of root.querySelectorAll("button.language")) {
      button.addEventListener("click", () => chooseLanguage(button.dataset.lang));
    }
    $("clear").addEventListener("click", clear);
  }

  start();
  return { input };
}
