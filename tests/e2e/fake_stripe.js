// A stand-in for Stripe.js (https://js.stripe.com/v3/), which cannot be fetched on the test
// machines. It keeps Stripe.js's calls and answers; "confirming" asks the local Stripe API
// stand-in (through https://api.stripe.com, which the test routes) as the real script asks Stripe.
(function () {
  "use strict";
  var call = function (path, body) {
    return fetch("https://api.stripe.com/test" + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) { return r.json(); });
  };
  var idOf = function (secret) { return secret.split("_secret_")[0]; };
  window.Stripe = function (key) {
    if (!/^pk_/.test(key)) { throw new Error("Stripe(): a publishable key is needed"); }
    var card = null;
    return {
      elements: function (options) {
        window.__stripeElements = [options];
        return {
          create: function () {
            return {
              mount: function (host) {
                card = document.createElement("input");
                card.id = "fake-card";
                card.setAttribute("aria-label", "Card number (Stripe)");
                card.placeholder = "Card number";
                host.appendChild(card);
              }
            };
          },
          update: function (changes) { window.__stripeElements.push(changes); },
          submit: function () {
            return Promise.resolve(card && card.value ? {} : { error: { message: "Your card number is incomplete." } });
          }
        };
      },
      confirmPayment: function (args) {
        return call("/payment_intents/" + idOf(args.clientSecret) + "/confirm", { number: card.value })
          .then(function (intent) {
            if (intent.status !== "succeeded") { return { error: { message: "Your card was declined." } }; }
            window.location.assign(args.confirmParams.return_url + "?payment_intent=" + intent.id);
            return new Promise(function () {});
          });
      },
      confirmCardPayment: function (secret, data) {
        return call("/payment_intents/" + idOf(secret) + "/confirm", { payment_method: data.payment_method })
          .then(function (intent) {
            return intent.status === "succeeded" ? { paymentIntent: intent } : { error: { message: "Not confirmed." } };
          });
      }
    };
  };
})();
