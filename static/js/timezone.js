// Tells the server the browser's time zone (cookie "tz"), so pages show times in it; and shows
// times pushed live (rendered once for every viewer) in it too.
(function () {
  "use strict";
  let zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  const cookie = "tz=" + encodeURIComponent(zone);
  if (zone && document.cookie.split("; ").indexOf(cookie) < 0) {
    document.cookie = cookie + "; path=/; max-age=31536000; samesite=lax";
  }
  const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  // data-local="datetime": a moment days away (a reply deadline), with its date and zone.
  const stamp = new Intl.DateTimeFormat(undefined, {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });
  function localise(root) {
    root.querySelectorAll("time[data-local]").forEach(function (element) {
      const moment = new Date(element.getAttribute("datetime"));
      if (isNaN(moment)) return;
      element.textContent = (element.dataset.local === "datetime" ? stamp : clock).format(moment);
    });
  }
  if (window.htmx) htmx.onLoad(localise);  // the page, and every fragment swapped in later
  else document.addEventListener("DOMContentLoaded", function () { localise(document); });
})();
