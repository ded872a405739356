/* "Copy link" on the page that shows a new client link once. Without JavaScript the
 * link sits in a read-only box to select and copy by hand. */
(function () {
  "use strict";

  function copied(status, text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function start() {
    document.querySelectorAll("[data-copy-from]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy-from"));
      var status = document.querySelector("[data-copy-status]");
      button.hidden = false;
      button.addEventListener("click", function () {
        var fallback = function () {
          field.focus();
          field.select();
          copied(status, "The link is selected: press Ctrl+C (or ⌘C) to copy it.");
        };
        if (!navigator.clipboard) { fallback(); return; }
        navigator.clipboard.writeText(field.value).then(function () {
          copied(status, "Copied. You can now paste the link into a message to your client.");
        }, fallback);
      });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
}());
