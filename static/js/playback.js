// Playback of an ended quote: every message is on the page (rendered by the room's partials);
// this reveals them one at a time in the order they were stored, with play/pause, a speed and a
// timeline slider. Without JavaScript the page shows the whole transcript.
(function () {
  "use strict";
  const STEP_MS = 1000;  // one message a second at 1×

  function start() {
    const panel = document.getElementById("playback");
    if (!panel) return;
    const play = panel.querySelector("[data-play]");
    const speed = panel.querySelector("[data-speed]");
    const timeline = panel.querySelector("[data-timeline]");
    const position = panel.querySelector("[data-position]");
    // Stored order: by time, then by place on the page (a negotiation's seq order).
    const messages = Array.from(document.querySelectorAll(".transcript [data-seq]"))
      .map(function (element, index) {
        const time = element.querySelector("time");
        return { element: element, at: time ? Date.parse(time.getAttribute("datetime")) : 0, index: index };
      })
      .sort(function (a, b) { return a.at - b.at || a.index - b.index; });
    // Each column's progress follows the messages shown: the round of its last one shown, and
    // the negotiation's own round once all are back.
    const columns = Array.from(document.querySelectorAll(".playback-columns .column"))
      .map(function (column) {
        const bar = column.querySelector("[role=progressbar]");
        return {
          bar: bar,
          label: column.querySelector(".progress .small"),
          messages: Array.from(column.querySelectorAll(".transcript [data-seq]")),
          final: Number(bar.getAttribute("aria-valuenow")),
          max: Number(bar.getAttribute("aria-valuemax")) || 1,
        };
      });
    let shown = 0;
    let timer = null;
    timeline.max = String(messages.length);

    function showRounds() {
      columns.forEach(function (column) {
        let round = 0;
        column.messages.forEach(function (message) {
          if (!message.hidden) round = Math.max(round, Number(message.dataset.round) || 0);
        });
        if (shown === messages.length) round = column.final;
        column.bar.setAttribute("aria-valuenow", String(round));
        column.bar.firstElementChild.style.width = Math.min(100, round * 100 / column.max) + "%";
        column.label.textContent = "round " + round + " of " + column.max;
      });
    }
    function show(count) {
      shown = Math.max(0, Math.min(count, messages.length));
      messages.forEach(function (message, index) { message.element.hidden = index >= shown; });
      showRounds();
      timeline.value = String(shown);
      const last = shown ? messages[shown - 1] : null;
      position.textContent = shown + " of " + messages.length + " messages" +
        (last ? " · " + new Date(last.at).toLocaleString() : "");
      if (last) {
        const transcript = last.element.closest(".transcript");
        transcript.scrollTop = transcript.scrollHeight;
      }
    }
    function pause() {
      clearInterval(timer);
      timer = null;
      play.textContent = "Play";
      play.setAttribute("aria-pressed", "false");
    }
    function resume() {
      if (shown >= messages.length) show(0);
      clearInterval(timer);
      timer = setInterval(function () {
        show(shown + 1);
        if (shown >= messages.length) pause();
      }, STEP_MS / Number(speed.value));
      play.textContent = "Pause";
      play.setAttribute("aria-pressed", "true");
    }
    play.addEventListener("click", function () { timer ? pause() : resume(); });
    speed.addEventListener("change", function () { if (timer) resume(); });
    timeline.addEventListener("input", function () { show(Number(timeline.value)); });
    show(0);
  }
  document.addEventListener("DOMContentLoaded", start);
})();
