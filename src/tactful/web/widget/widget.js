/* tactful offers widget: <tactful-offers key="pk_..." moment="cart"></tactful-offers>
 * Dependency-free custom element. It asks POST /v1/decisions (publishable key) and renders
 * 0, 1 or 2 offers; nothing takes space until offers exist, nothing is pre-ticked, no timer
 * runs unless the API sent a real expires_at, and past the timeout (800 ms) nothing shows.
 * Docs: README "Storefront widget". */
(() => {
  "use strict";
  if (!window.customElements || customElements.get("tactful-offers")) return;
  const script = document.currentScript;
  const ORIGIN = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  const CSS = `
:host{display:block;position:relative;font:inherit;color:var(--tactful-text,#1f2328)}
:host([hidden]){display:none}
.live{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.box{border:1px solid var(--tactful-border,#8c959f);border-radius:var(--tactful-radius,8px);background:var(--tactful-background,#fff);padding:var(--tactful-gap,12px);display:grid;gap:var(--tactful-gap,12px)}
.in{animation:in .2s ease-out}
.top{display:flex;justify-content:space-between;align-items:center;gap:8px}
h2{font-size:1em;margin:0}
.offer{display:grid;gap:4px;padding-top:var(--tactful-gap,12px);border-top:1px solid var(--tactful-border,#d0d7de)}
.offer:first-of-type{border-top:0;padding-top:0}
h3{font-size:1em;margin:0}
p{margin:0}
.reason,.proof,.after{color:var(--tactful-muted,#57606a);font-size:.9em}
.price,.name{font-weight:600}
s{font-weight:400;color:var(--tactful-muted,#57606a)}
.urgent{color:var(--tactful-urgent,#a40e26);font-size:.9em}
.acts{display:flex;flex-wrap:wrap;gap:8px;margin-top:4px}
.compact{display:flex;flex-wrap:wrap;align-items:center;gap:8px}
.compact h3{flex:1 1 12em}
.compact .acts{margin-top:0}
button{font:inherit;cursor:pointer;border-radius:var(--tactful-radius,8px);padding:8px 14px;min-height:44px;border:2px solid var(--tactful-accent,#0a5cc2)}
.add{background:var(--tactful-accent,#0a5cc2);color:var(--tactful-accent-text,#fff)}
.no{background:var(--tactful-background,#fff);color:var(--tactful-accent,#0a5cc2)}
.x{background:transparent;border-color:transparent;color:var(--tactful-muted,#57606a);min-width:44px;padding:4px 10px}
button:focus-visible{outline:3px solid var(--tactful-focus,#bf3989);outline-offset:2px}
@keyframes in{from{opacity:0}to{opacity:1}}
@media (prefers-reduced-motion:reduce){.in{animation:none}}`;

  const h = (tag, attrs, ...kids) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const kid of kids) if (kid != null) node.append(kid);
    return node;
  };

  const money = (minor, currency) => {
    try {
      const format = new Intl.NumberFormat(document.documentElement.lang || undefined, {
        style: "currency",
        currency,
      });
      return format.format(minor / 10 ** format.resolvedOptions().maximumFractionDigits);
    } catch (_) {
      return `${(minor / 100).toFixed(2)} ${currency}`;
    }
  };

  const parseJSON = (text) => {
    try {
      return text ? JSON.parse(text) : null;
    } catch (_) {
      return null;
    }
  };

  /* "SKU:2,SKU2" or JSON [{"sku":..,"quantity":..}] */
  const readCart = (text) => {
    const json = parseJSON(text);
    if (Array.isArray(json)) return json;
    return (text || "").split(",").filter((s) => s.trim()).map((item) => {
      const [sku, quantity] = item.trim().split(":");
      return { sku, quantity: Number(quantity) || 1 };
    });
  };

  const anonymousId = () => {
    try {
      let id = localStorage.getItem("tactful_customer");
      if (!id) {
        id = `anon_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
        localStorage.setItem("tactful_customer", id);
      }
      return id;
    } catch (_) {
      return "anonymous";
    }
  };

  class TactfulOffers extends HTMLElement {
    static get observedAttributes() {
      return ["cart", "data-cart", "customer", "moment", "context"];
    }

    constructor() {
      super();
      this._root = this.attachShadow({ mode: "open" });
      this._live = h("p", { class: "live", role: "status", "aria-live": "polite" });
      this._box = h("div", { part: "root" });
      this._root.append(h("style", {}, CSS), this._live, this._box);
      this._cart = null;
      this._offers = [];
      this._timers = [];
      this._seq = 0;
    }

    connectedCallback() {
      this._connected = true;
      this.refresh();
    }

    disconnectedCallback() {
      this._connected = false;
      this._clear();
    }

    attributeChangedCallback() {
      if (this._connected) this.refresh();
    }

    get cart() {
      return this._cart || readCart(this.getAttribute("cart") || this.dataset.cart);
    }

    set cart(lines) {
      this._cart = lines;
      if (this._connected) this.refresh();
    }

    get api() {
      return (this.getAttribute("api") || ORIGIN).replace(/\/$/, "");
    }

    /* Ask again for offers (after the cart changed); an older answer is ignored. */
    refresh() {
      clearTimeout(this._pending);
      this._pending = setTimeout(() => this._load(), 0);
    }

    async _load() {
      const key = this.getAttribute("key");
      const moment = this.getAttribute("moment");
      if (!key || !moment) return;
      const seq = ++this._seq;
      const body = {
        customer_id: this.getAttribute("customer") || anonymousId(),
        moment,
        cart: this.cart.map((l) => ({ sku: String(l.sku), quantity: Number(l.quantity) || 1 })),
      };
      const context = parseJSON(this.getAttribute("context"));
      if (context) body.context = context;
      const abort = new AbortController();
      const limit = Number(this.getAttribute("timeout")) || 800;
      const timer = setTimeout(() => abort.abort(), limit);
      let decision = null;
      try {
        const answer = await fetch(`${this.api}/v1/decisions`, {
          method: "POST",
          headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
          body: JSON.stringify(body),
          signal: abort.signal,
          credentials: "omit",
        });
        if (answer.ok) decision = await answer.json();
      } catch (_) {
        decision = null; /* timed out or unreachable: the page stays as it was */
      } finally {
        clearTimeout(timer);
      }
      if (seq !== this._seq || !this._connected) return;
      this._decision = decision;
      this._offers = decision && Array.isArray(decision.offers) ? decision.offers.slice(0, 2) : [];
      this._render(true);
      this._emit("tactful:offers", { decision_id: decision && decision.decision_id, offers: this._offers });
    }

    _say(text) {
      this._live.textContent = "";
      requestAnimationFrame(() => (this._live.textContent = text));
    }

    _clear() {
      for (const t of this._timers) clearTimeout(t);
      this._timers = [];
    }

    _render(fresh) {
      this._clear();
      this._box.replaceChildren();
      if (!this._offers.length) return;
      const heading = this.getAttribute("heading") || "You might also like";
      const box = h("section", { class: fresh ? "box in" : "box", part: "container", "aria-label": heading });
      const close = h("button", { type: "button", class: "x", part: "dismiss", "aria-label": "Dismiss suggestions" }, "\u00d7");
      close.addEventListener("click", () => this._dismiss());
      box.append(h("div", { class: "top" }, h("h2", { part: "heading" }, heading), close));
      for (const offer of this._offers) box.append(this._offer(offer));
      this._box.append(box);
      const names = this._offers.map((o) => o.name || o.sku).join(", ");
      const count = this._offers.length === 1 ? "1 suggestion" : `${this._offers.length} suggestions`;
      this._say(`${count}: ${names}`);
    }

    _offer(offer) {
      const name = offer.name || offer.sku;
      const price = offer.price || {};
      const priceBlock = h("p", { class: "price", part: "price" }, money(price.amount, price.currency));
      if (price.compare_at != null) {
        priceBlock.append(" ", h("s", {}, money(price.compare_at, price.currency)));
      }
      if (price.savings != null) priceBlock.append(` (save ${money(price.savings, price.currency)})`);
      const add = h("button", { type: "button", class: "add", part: "add", "aria-label": `Add ${name} to cart` }, "Add");
      const no = h("button", { type: "button", class: "no", part: "decline", "aria-label": `No thanks, not ${name}` }, offer.decline_label || "No thanks");
      add.addEventListener("click", () => this._accept(offer));
      no.addEventListener("click", () => this._decline(offer));
      const acts = h("div", { class: "acts" }, add, no);
      if (this._decision && this._decision.presentation === "compact") {
        /* one line, as an experiment's compact variant asks: headline, price, Add, No thanks */
        const attrs = { class: "offer compact", part: "offer compact", "data-offer": offer.offer_id, "aria-label": name };
        const named = offer.name && !String(offer.headline).includes(offer.name);
        const title = h("h3", { part: "headline" }, offer.headline, named ? h("span", { class: "name", part: "name" }, ` \u00b7 ${offer.name}`) : null);
        return h("article", attrs, title, priceBlock, this._urgency(offer), acts);
      }
      const article = h(
        "article",
        { class: "offer", part: "offer", "data-offer": offer.offer_id, "aria-label": name },
        h("h3", { part: "headline" }, offer.headline),
        offer.name && !String(offer.headline).includes(offer.name) ? h("p", { class: "name", part: "name" }, offer.name) : null,
        h("p", { class: "reason", part: "reason" }, offer.reason),
        priceBlock,
        offer.cart_total_after != null
          ? h("p", { class: "after", part: "total" }, `Cart total with it: ${money(offer.cart_total_after, price.currency)}`)
          : null,
        offer.social_proof ? h("p", { class: "proof", part: "proof" }, offer.social_proof.text) : null,
        this._urgency(offer),
      );
      article.append(acts);
      return article;
    }

    /* Only a real deadline from the API: its text, and the offer leaves when it passes. */
    _urgency(offer) {
      const urgency = offer.urgency;
      const ends = urgency && Date.parse(urgency.expires_at);
      if (!ends) return null;
      const left = ends - Date.now();
      if (left <= 0) return null;
      this._timers.push(setTimeout(() => this._remove(offer, "Offer ended"), Math.min(left, 2 ** 31 - 1)));
      return h(
        "p",
        { class: "urgent", part: "urgency" },
        `${urgency.text} `,
        h("time", { datetime: urgency.expires_at }, new Date(ends).toLocaleString()),
      );
    }

    _accept(offer) {
      const detail = {
        sku: offer.sku,
        quantity: 1,
        offer_id: offer.offer_id,
        decision_id: this._decision.decision_id,
        name: offer.name,
        price: offer.price,
      };
      this._respond(offer, "accepted");
      this._emit("tactful:add", detail);
      this._remove(offer, `${offer.name || offer.sku} added`);
    }

    _decline(offer) {
      this._respond(offer, "declined");
      this._remove(offer, "Suggestion hidden");
    }

    _dismiss() {
      for (const offer of this._offers) this._respond(offer, "dismissed");
      this._offers = [];
      this._render();
      this._say("Suggestions dismissed");
      this._emit("tactful:dismiss", {});
    }

    _remove(offer, said) {
      this._offers = this._offers.filter((o) => o !== offer);
      const focused = this._root.activeElement;
      this._render();
      this._say(said);
      if (focused) {
        const next = this._root.querySelector("button.add");
        if (next) next.focus();
        else this._emit("tactful:empty", {});
      }
    }

    _respond(offer, response) {
      const decision = this._decision;
      if (!decision) return;
      fetch(`${this.api}/v1/decisions/${encodeURIComponent(decision.decision_id)}/responses`, {
        method: "POST",
        headers: { Authorization: `Bearer ${this.getAttribute("key")}`, "Content-Type": "application/json" },
        body: JSON.stringify({ offer_id: offer.offer_id, response }),
        keepalive: true,
        credentials: "omit",
      }).catch(() => {});
    }

    _emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }
  }

  /* Ready-made cart handlers for `tactful:add`: call one once on the page. */
  const postJSON = (url, body, headers) =>
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...headers },
      body: JSON.stringify(body),
      credentials: "same-origin",
    }).then((answer) => {
      if (!answer.ok) throw new Error(`${url}: ${answer.status}`);
      return answer.json();
    });

  const listen = (add) => {
    const handler = (event) => {
      const detail = event.detail;
      Promise.resolve(add(detail)).then(
        (cart) => event.target.dispatchEvent(new CustomEvent("tactful:added", { detail: { ...detail, cart }, bubbles: true })),
        (error) => event.target.dispatchEvent(new CustomEvent("tactful:add-failed", { detail: { ...detail, error: String(error) }, bubbles: true })),
      );
    };
    document.addEventListener("tactful:add", handler);
    return () => document.removeEventListener("tactful:add", handler);
  };

  window.tactful = {
    TactfulOffers,
    /* Shopify AJAX cart: the SKU is the variant id unless `variants` maps SKU -> variant id. */
    shopify: (options = {}) =>
      listen((d) =>
        postJSON(`${options.root || (window.Shopify && Shopify.routes && Shopify.routes.root) || "/"}cart/add.js`, {
          items: [{ id: Number((options.variants || {})[d.sku] || d.sku), quantity: d.quantity }],
        }),
      ),
    /* WooCommerce Store API: the SKU is the product id unless `products` maps it; `nonce` from wcSettings. */
    woocommerce: (options = {}) =>
      listen((d) =>
        postJSON(
          `${options.root || "/wp-json/wc/store/v1"}/cart/add-item`,
          { id: Number((options.products || {})[d.sku] || d.sku), quantity: d.quantity },
          { Nonce: options.nonce || (window.wcSettings && wcSettings.storeApiNonce) || "" },
        ),
      ),
    /* Any other cart: `add(detail)` returns a promise. */
    custom: listen,
  };
  customElements.define("tactful-offers", TactfulOffers);
})();
