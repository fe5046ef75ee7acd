// The create-key form: show the scope matrix only while "Custom" access is chosen.
// Without JavaScript the matrix stays visible and is used only with Custom access.
(function () {
  "use strict";

  document.querySelectorAll("[data-show-for-access]").forEach(function (matrix) {
    var form = matrix.closest("form");
    var wanted = matrix.getAttribute("data-show-for-access");
    var radios = form.querySelectorAll('input[name="access"]');

    function update() {
      var chosen = form.querySelector('input[name="access"]:checked');
      // A matrix with errors stays in view so that they can be read.
      matrix.hidden = !matrix.hasAttribute("data-has-errors") && !(chosen && chosen.value === wanted);
    }

    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  });
})();
