// The keys' search box: a whole secret typed there would go into the URL (history, proxy logs). Stop it
// before the form leaves the page; the server refuses it too, for a browser without this script.
(function () {
  "use strict";

  document.querySelectorAll("form[data-key-search]").forEach(function (form) {
    var shape = form.getAttribute("data-secret-shape");
    var box = form.querySelector("input[name='q']");
    if (!shape || !box) return;
    var SECRET = new RegExp(shape);

    form.addEventListener("submit", function (event) {
      if (!SECRET.test(box.value)) return;
      event.preventDefault();
      box.value = "";
      var note = form.querySelector("[data-secret-note]");
      if (!note) {
        note = document.createElement("p");
        note.className = "error";
        note.setAttribute("role", "alert");
        note.setAttribute("data-secret-note", "");
        note.textContent = "That is a whole secret, so it was not searched for: a search goes into the URL. " +
          "Treat it as exposed: find its key by its last four characters and roll it.";
        box.after(note);
      }
      box.focus();
    });
  });
})();
