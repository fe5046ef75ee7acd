// The reveal page: warn before leaving until the secret is copied, and never bring it back from the cache.
(function () {
  "use strict";

  var box = document.querySelector("[data-reveal]");
  if (!box) return;
  var secret = box.querySelector(".copy-value");
  var saved = false;

  // The one thing to do here: the secret has the focus (a screen reader reads it; Tab reaches Copy next).
  secret.setAttribute("tabindex", "-1");
  secret.focus();

  function warn(event) {
    event.preventDefault();
    event.returnValue = "";  // older browsers need a value to show their own warning
  }

  function markSaved() {
    if (saved) return;
    saved = true;
    window.removeEventListener("beforeunload", warn);
  }

  window.addEventListener("beforeunload", warn);

  // app.js announces a copy made with a copy button.
  document.addEventListener("keyward:copied", function (event) {
    if (event.detail && event.detail.target === secret) markSaved();
  });

  // A copy by hand (selection, then Ctrl+C or the context menu) counts too.
  document.addEventListener("copy", function () {
    var selected = String(window.getSelection()).trim();
    if (selected && selected.indexOf(secret.textContent.trim()) !== -1) markSaved();
  });

  // Leaving the page drops the secret from it, so that the back button (back/forward cache) cannot show
  // it again; a page restored from that cache reloads and says the key can no longer be shown.
  window.addEventListener("pagehide", function () { secret.textContent = ""; });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });
})();
