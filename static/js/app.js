// Behaviour wired by data-* attributes, so no inline script is ever needed (strict CSP).
(function () {
  "use strict";

  // The account switcher submits on change; its button is there for a browser without JavaScript.
  document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
    // The select submits by itself: its button would only be a second way to do the same.
    var fallback = select.form.querySelector("[data-autosubmit-fallback]");
    if (fallback) fallback.hidden = true;
  });
})();
