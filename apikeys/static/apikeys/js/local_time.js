// Exact times are written in UTC by the server; add the same moment in the browser's own time beside them.
(function () {
  "use strict";

  var local = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

  document.querySelectorAll("time[data-local-time]").forEach(function (time) {
    var when = new Date(time.getAttribute("datetime"));
    if (isNaN(when)) return;
    var span = document.createElement("span");
    span.className = "local-time";
    span.textContent = " (" + local.format(when) + " your time)";
    time.after(span);
  });
})();
