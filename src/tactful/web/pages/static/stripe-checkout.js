(function () {
  "use strict";
  var message = document.getElementById("payment-message");
  var show = function (text) {
    if (!message) { return; }
    message.textContent = text;
    message.hidden = false;
    message.focus && message.focus();
  };
  var ready = function (form) {
    form.removeAttribute("data-sent");
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.removeAttribute("aria-busy"); });
  };
  if (!window.Stripe) { show("The secure card form could not load. Check your connection and reload the page."); return; }

  var host = document.getElementById("payment-element");
  if (host) {
    var form = host.closest("form");
    var stripe = window.Stripe(host.getAttribute("data-stripe-key"));
    var amounts = JSON.parse(host.getAttribute("data-amounts"));
    var chosen = function () {
      var on = [];
      form.querySelectorAll("input[name=bump]").forEach(function (box, i) { if (box.checked) { on.push(i + 1); } });
      return amounts[on.join(",")];
    };
    var options = { mode: "payment", amount: chosen(), currency: host.getAttribute("data-currency") };
    if (host.getAttribute("data-save-card") === "true") { options.setupFutureUsage = "off_session"; }
    var elements = stripe.elements(options);
    elements.create("payment").mount(host);
    form.addEventListener("change", function (ev) {
      if (ev.target && ev.target.name === "bump") { elements.update({ amount: chosen() }); }
    });
    var busy = false;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (busy) { return; }
      busy = true;
      elements.submit().then(function (checked) {
        if (checked.error) { throw checked.error; }
        return fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" } });
      }).then(function (response) { return response.json(); }).then(function (outcome) {
        if (outcome.status !== "requires_confirmation") { throw new Error(outcome.message || outcome.detail || "The payment was not started."); }
        return stripe.confirmPayment({
          elements: elements,
          clientSecret: outcome.data.client_secret,
          confirmParams: { return_url: window.location.origin + outcome.data.return_url }
        });
      }).then(function (result) {
        if (result && result.error) { throw result.error; }
      }).catch(function (error) {
        busy = false;
        ready(form);
        show(error.message || "The payment did not go through. Nothing was charged.");
      });
    });
  }

  var confirm = document.getElementById("confirm-offer");
  if (confirm) {
    var stripeOffer = window.Stripe(confirm.getAttribute("data-stripe-key"));
    var sending = false;
    confirm.addEventListener("submit", function (ev) {
      if (sending) { return; }
      ev.preventDefault();
      stripeOffer.confirmCardPayment(confirm.getAttribute("data-client-secret"), {
        payment_method: confirm.getAttribute("data-payment-method")
      }).then(function (result) {
        if (result.error) { ready(confirm); show(result.error.message + " Nothing was charged."); return; }
        sending = true;
        confirm.submit();
      });
    });
  }
})();
