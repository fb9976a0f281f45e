// The negotiation room (and the supplier portal): catch-up on (re)connect, no duplicate messages,
// idempotent posts.
(function () {
  "use strict";

  // "12:5,13:7": the last message this page shows per negotiation, by its data-seq (the seq in
  // the room; in the supplier portal its number among the shared messages).
  function lastSeqs() {
    const pairs = [];
    document.querySelectorAll(".transcript[data-negotiation]").forEach(function (transcript) {
      let last = null;
      transcript.querySelectorAll("[data-seq]").forEach(function (message) {
        last = Math.max(last === null ? -1 : last, Number(message.dataset.seq));
      });
      if (last !== null) pairs.push(transcript.dataset.negotiation + ":" + last);
    });
    return pairs.join(",");
  }

  // Every (re)connect tells the server what the page already has; it sends only what is newer.
  htmx.createWebSocket = function (url) {
    const after = lastSeqs();
    const socket = new WebSocket(after ? url + "?after=" + after : url);
    socket.binaryType = htmx.config.wsBinaryType;
    return socket;
  };

  // A message already on the page is replaced in place, never appended twice.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    const incoming = event.detail.fragment;
    if (!incoming || !incoming.querySelectorAll) return;
    const replacement = incoming.firstElementChild;
    // The answer to a post (the supplier portal's, marked data-answer) always replaces. A push
    // leaves a form whose post is in flight alone: htmx swaps the answer relative to the form
    // that sent it, which must still be on the page; the answer brings what follows.
    const answer = replacement && replacement.hasAttribute("data-answer");
    if (!answer && event.detail.target.querySelector(".htmx-request")) {
      event.detail.shouldSwap = false;
      return;
    }
    // A pushed guidance form that is still open leaves the one on the page (and what is being
    // typed in it) alone; one that has closed replaces it.
    if (!answer && replacement && replacement.matches("[data-open-form]") &&
        event.detail.target.matches("[data-open-form]")) {
      event.detail.shouldSwap = false;
      return;
    }
    incoming.querySelectorAll(":scope > [id^='msg-']").forEach(function (message) {
      const existing = document.getElementById(message.id);
      if (existing) existing.replaceWith(message);
    });
  });

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // One id per intervention, minted in the browser: a re-sent form carries the same id and the
  // server stores it once. A successful post swaps in a fresh form with an empty id.
  function fillClientIds(root) {
    root.querySelectorAll("input[data-client-id]").forEach(function (input) {
      if (!input.value) input.value = newClientId();
    });
  }
  htmx.onLoad(fillClientIds);
  document.addEventListener("htmx:configRequest", function (event) {
    const input = event.detail.elt.querySelector && event.detail.elt.querySelector("input[data-client-id]");
    if (input) {
      if (!input.value) input.value = newClientId();
      event.detail.parameters.client_id = input.value;
    }
  });

  function setLive(state) {
    const room = document.getElementById("room");
    if (room) room.dataset.live = state;
  }
  document.addEventListener("htmx:wsOpen", function () { setLive("open"); });
  // htmx reconnects by itself after 1006, 1011, 1012 and 1013 only; a server going away (1001)
  // or any other drop while the room is still on the page gets a reconnect too.
  const HTMX_RECONNECTS = [1006, 1011, 1012, 1013];
  // 4401: the session ended (logged out here or in another tab); reloading leads to the login.
  // 4410: the supplier portal's link stopped working; reloading says so.
  const RELOAD_CODES = [4401, 4410];
  document.addEventListener("htmx:wsClose", function (event) {
    setLive("closed");
    if (RELOAD_CODES.indexOf(event.detail.event.code) >= 0) {
      window.location.reload();
      return;
    }
    const room = document.getElementById("room");
    if (!room || HTMX_RECONNECTS.indexOf(event.detail.event.code) >= 0) return;
    setTimeout(function () {
      if (document.body.contains(room)) event.detail.socketWrapper.reconnect();
    }, 500 + Math.random() * 1500);
  });
  // Follow new messages in a transcript the reader is at the bottom of; leave one they scrolled up.
  let following = [];
  document.addEventListener("htmx:wsBeforeMessage", function () {
    following = Array.from(document.querySelectorAll(".transcript")).filter(function (t) {
      return t.scrollHeight - t.scrollTop - t.clientHeight < 40;
    });
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    following.forEach(function (t) { t.scrollTop = t.scrollHeight; });
  });
})();
