// Behaviour wired by data-* attributes, so no inline script is ever needed (strict CSP).
(function () {
  "use strict";

  // The account switcher submits on change; its button stays for keyboards and no-JS.
  document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
