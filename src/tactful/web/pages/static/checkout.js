(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var form = document.getElementById("checkout");
  var totals = document.getElementById("totals");
  var boxes = form ? form.querySelectorAll("input[name=bump]") : [];

  // Totals: every figure marked data-q comes from the server's quote for the ticked bumps.
  var apply = function (quote) {
    if (!quote) { return; }
    document.querySelectorAll("[data-q]").forEach(function (el) {
      var value = quote[el.getAttribute("data-q")];
      if (typeof value === "string") { el.textContent = value; }
    });
  };
  var ticked = function () {
    var keys = [], skus = [];
    boxes.forEach(function (box, i) { if (box.checked) { keys.push(i + 1); skus.push(box.value); } });
    return { key: keys.join(","), skus: skus };
  };
  var latest = 0;
  var recompute = function () {
    if (!totals) { return; }
    var choice = ticked();
    boxes.forEach(function (box) {
      var line = document.querySelector("[data-bump-line='" + box.value + "']");
      if (line) { line.hidden = !box.checked; }
    });
    apply(JSON.parse(totals.getAttribute("data-quotes"))[choice.key]);
    var url = totals.getAttribute("data-quote-url");
    choice.skus.forEach(function (sku) { url += "&bump=" + encodeURIComponent(sku); });
    var asked = ++latest;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (quote) { if (asked === latest) { apply(quote); } })
      .catch(function () { /* the first-paint figures stay */ });
  };
  boxes.forEach(function (box) { box.addEventListener("change", function () { recompute(); save(); }); });

  // What the customer typed survives a reload (never card details).
  var key = form ? "tactful:" + form.getAttribute("data-slug") : "";
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }
  var save = function () {
    if (!store || !form) { return; }
    var data = { email: form.email.value, name: form.elements.name.value, bumps: ticked().skus, step: current };
    try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full or blocked */ }
  };
  var restore = function () {
    if (!store || !form) { return null; }
    var data = null;
    try { data = JSON.parse(store.getItem(key) || "null"); } catch (e) { data = null; }
    if (!data) { return null; }
    if (!form.email.value && data.email) { form.email.value = data.email; }
    if (!form.elements.name.value && data.name) { form.elements.name.value = data.name; }
    if (data.bumps && !document.getElementById("form-error")) {
      boxes.forEach(function (box) { box.checked = data.bumps.indexOf(box.value) >= 0; });
    }
    return data;
  };

  // Multi-step: details, then payment; Back and Forward move between them.
  var multi = form && form.getAttribute("data-multi") === "true";
  var current = 1;
  var show = function (step, push) {
    current = step;
    form.querySelectorAll(".step").forEach(function (section) {
      section.hidden = Number(section.getAttribute("data-step")) !== step;
    });
    document.querySelectorAll(".steps li").forEach(function (li) {
      var n = Number(li.getAttribute("data-step"));
      if (n === step) { li.setAttribute("aria-current", "step"); } else { li.removeAttribute("aria-current"); }
      li.classList.toggle("done", n < step);
    });
    if (push) { history.pushState({ step: step }, "", step === 2 ? "#payment" : "#details"); }
    var recap = document.getElementById("recap");
    if (recap) {
      document.getElementById("recap-email").textContent = form.email.value;
      recap.hidden = step !== 2;
    }
    save();
  };
  var detailsValid = function () {
    var problem = "";
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(form.email.value.trim())) { problem = "Enter the email address for your receipt."; }
    else if (!form.elements.name.value.trim()) { problem = "Enter your name."; }
    var box = document.getElementById("details-error");
    box.textContent = problem;
    box.hidden = !problem;
    form.email.setAttribute("aria-invalid", String(problem.indexOf("email") >= 0));
    return !problem;
  };
  if (multi) {
    var next = document.getElementById("to-payment"), back = document.getElementById("back-to-details");
    next.hidden = false;
    back.hidden = false;
    next.addEventListener("click", function () { if (detailsValid()) { show(2, true); document.getElementById("payment-h").focus(); } });
    var toDetails = function () { show(1, true); form.email.focus(); };
    back.addEventListener("click", toDetails);
    document.getElementById("recap-change").addEventListener("click", toDetails);
    window.addEventListener("popstate", function (ev) {
      var step = ev.state && ev.state.step ? ev.state.step : (location.hash === "#payment" ? 2 : 1);
      if (step === 2 && !detailsValid()) { step = 1; }
      show(step, false);
    });
    document.getElementById("payment-h").setAttribute("tabindex", "-1");
  }
  if (form) {
    var saved = restore();
    form.email.addEventListener("input", save);
    form.elements.name.addEventListener("input", save);
    if (multi) {
      var start = document.getElementById("form-error") || location.hash === "#payment" || (saved && saved.step === 2) ? 2 : 1;
      if (start === 2 && !form.email.value) { start = 1; }
      history.replaceState({ step: start }, "", start === 2 ? "#payment" : "#details");
      show(start, false);
    }
    recompute();
  }

  // Mobile: the order summary folds behind "Show order summary".
  var toggle = document.getElementById("summary-toggle");
  if (toggle) {
    var body = document.getElementById("summary-body");
    var narrow = window.matchMedia("(max-width: 59.99rem)");
    var setOpen = function (open) {
      toggle.setAttribute("aria-expanded", String(open));
      body.hidden = !open;
      toggle.querySelector(".toggle-text").textContent = open ? "Hide order summary" : "Show order summary";
    };
    var layout = function () { toggle.hidden = !narrow.matches; setOpen(!narrow.matches); };
    toggle.addEventListener("click", function () { setOpen(body.hidden); });
    narrow.addEventListener("change", layout);
    layout();
  }

  // Deadlines in the customer's own time zone.
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (!isNaN(when)) {
      el.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
    }
  });

  // One submission per form: a double click never sends twice.
  document.querySelectorAll("form[method=post]").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      if (f.getAttribute("data-sent")) { ev.preventDefault(); return; }
      f.setAttribute("data-sent", "1");
      f.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-busy", "true"); });
      if (f === form && store) { try { store.removeItem(key); } catch (e) { /* ignore */ } }
    });
  });
  var err = document.getElementById("form-error");
  if (err) { err.focus(); }
})();
