// Copy buttons: [data-copy-target] copies the text of the element it names (wired here, no inline script).
(function () {
  "use strict";

  function announce(button, text) {
    var status = button.parentElement.querySelector("[data-copy-status]");
    if (!status) return;
    // A second copy restarts the clock, so an earlier timer does not cut its message short.
    window.clearTimeout(status.keywardTimer);
    status.textContent = text;
    status.keywardTimer = window.setTimeout(function () { status.textContent = ""; }, 4000);
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var target = document.querySelector(button.getAttribute("data-copy-target"));
    if (!target) return;
    var text = target.textContent.trim();
    function copied() {
      announce(button, "Copied to clipboard");
      document.dispatchEvent(new CustomEvent("keyward:copied", { detail: { target: target } }));
    }
    function fallback() {
      selectText(target);
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      if (ok) { copied(); } else { announce(button, "Selected: press Ctrl+C (⌘C) to copy"); }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(copied, fallback);
    } else {
      fallback();
    }
  });
})();
