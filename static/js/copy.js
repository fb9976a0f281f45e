// "Copy to clipboard" buttons: copy the value of the field a button names (data-copy-target),
// e.g. a supplier link that is shown once.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-copy-target]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copyTarget);
    if (!field) return;
    field.select();
    function copied() { button.textContent = "Copied"; }
    function fallback() { if (document.execCommand("copy")) copied(); }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(copied, fallback);
    } else {
      fallback();
    }
  });
})();
