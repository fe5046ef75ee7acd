// The admin's key and activity searches: a whole secret typed there would go into the URL, and from there
// into browser history and proxy logs. Stop the search before it leaves the page and point to Find by
// secret. The server refuses such a search too, for a browser without this script, but only after the URL
// has gone out.
(function () {
  "use strict";

  var script = document.currentScript;
  var form = document.getElementById("changelist-search");
  var box = document.getElementById("searchbar");
  if (!script || !form || !box || !script.getAttribute("data-secret-shape")) return;
  var SECRET = new RegExp(script.getAttribute("data-secret-shape"));  // apikeys.secrets.SHAPE

  form.addEventListener("submit", function (event) {
    if (!SECRET.test(box.value)) return;
    event.preventDefault();
    box.value = "";
    var note = document.getElementById("secret-search-note");
    if (!note) {
      note = document.createElement("p");
      note.id = "secret-search-note";
      note.className = "errornote";
      note.setAttribute("role", "alert");
      var link = document.createElement("a");
      link.href = script.getAttribute("data-find-url");
      link.textContent = "Find by secret";
      note.append("That is a whole secret, so it was not searched for: a search goes into the URL. Use ",
        link, " instead, and treat the secret as exposed.");
      form.parentElement.insertBefore(note, form);
    }
    box.focus();
  });
})();
