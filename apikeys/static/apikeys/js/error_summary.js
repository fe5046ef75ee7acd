// A form that comes back with errors: focus its summary, so that it is read out and in view, and let each
// link focus its field (a plain #anchor only scrolls to it).
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  if (!summary || summary.hasAttribute("data-ready")) return;  // loaded by the page and by its base
  summary.setAttribute("data-ready", "");
  summary.focus();
  summary.querySelectorAll("a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var hidden = field.closest("[hidden]");
      if (hidden) hidden.hidden = false;
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
  });
})();
