(function () {
  "use strict";
  var totals = document.querySelector("[data-totals]");
  if (totals) {
    var table = JSON.parse(totals.getAttribute("data-totals"));
    var boxes = document.querySelectorAll("input[name=bump]");
    var update = function () {
      var on = [];
      boxes.forEach(function (box, i) { if (box.checked) { on.push(i + 1); } });
      var text = table[on.join(",")];
      ["total", "pay-total"].forEach(function (id) {
        var el = document.getElementById(id);
        if (el && text) { el.textContent = text; }
      });
    };
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
  }
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (form.getAttribute("data-sent")) { ev.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.setAttribute("aria-busy", "true");
      });
    });
  });
  var err = document.getElementById("form-error");
  if (err) { err.focus(); }
})();
