// The expiry control: the date field is shown (and sent) only with "On a date…", and the moment the
// choice gives is spelt out in UTC and in the browser's time. Without JavaScript both fields stay visible
// and the server refuses a date sent with another choice.
(function () {
  "use strict";

  // As the server writes it ("13 Dec 2026, 00:00 UTC"); the local time in the browser's own format.
  var utc = new Intl.DateTimeFormat("en-GB", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    timeZone: "UTC",
  });
  var local = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  var DAY = 24 * 60 * 60 * 1000;

  function moment(choice, select, date) {
    if (choice === "keep") return new Date(Date.now() + 1000 * Number(select.getAttribute("data-keep-seconds")));
    if (/^\d+$/.test(choice)) return new Date(Date.now() + Number(choice) * DAY);
    if (choice === "date" && /^\d{4}-\d{2}-\d{2}$/.test(date.value)) {
      var parts = date.value.split("-").map(Number);
      return new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
    }
    return null;
  }

  document.querySelectorAll("[data-expiry]").forEach(function (box) {
    var select = box.querySelector("[data-expiry-choice]");
    var date = box.querySelector("[data-expiry-date]");
    var dateField = date.closest(".field");
    var said = box.querySelector("[data-expiry-moment]");
    var hasErrors = dateField.classList.contains("field-error");

    function update() {
      var choice = select.value;
      var showDate = choice === "date" || hasErrors;
      dateField.hidden = !showDate;
      date.disabled = !showDate;
      var when = moment(choice, select, date);
      said.hidden = false;
      if (choice === "never" || choice === "") {
        said.textContent = "The key never expires.";
      } else if (when) {
        said.textContent = "Stops working on " + utc.format(when) + " UTC (" + local.format(when) + " your time).";
      } else {
        said.hidden = true;
      }
    }

    select.addEventListener("change", function () {
      hasErrors = false;
      update();
      if (select.value === "date") date.focus();
    });
    date.addEventListener("input", update);
    update();
  });
})();
