/* shop.js: the quick-commerce shop. Products in stock with + / − buttons, the cart
   (one seller at a time: the replace dialog), and checkout into the payment page. */
"use strict";

(function () {
  const W = window.Workshop;
  const el = W.el;
  const PAGE_SIZE = 24;
  const CHECKOUT_KEY = "workshop.checkoutKey";
  const state = {
    products: new Map(),
    cart: null,
    query: "",
    sellerId: null,
    sellerName: "",
    nextAfter: null,
    busy: false,
    wanted: new Map(), // taps not yet sent: product id -> quantity (sent one at a time, in order)
  };

  function quantityInCart(productId) {
    if (state.wanted.has(productId)) return state.wanted.get(productId);
    if (!state.cart) return 0;
    const line = state.cart.lines.find((l) => l.product_id === productId);
    return line ? line.quantity : 0;
  }

  function stockText(stock) {
    if (stock <= 0) return "Sold out";
    if (stock <= 5) return "Only " + stock + " left";
    return stock + " in stock";
  }

  function stepper(productId, quantity, stock, label) {
    if (quantity === 0) {
      return el("button", {
        type: "button", class: "add primary", "aria-label": "Add " + label,
        dataset: { action: "inc", id: productId }, disabled: stock <= 0,
      }, stock <= 0 ? "Sold out" : "Add");
    }
    return el("span", { class: "stepper" },
      el("button", { type: "button", "aria-label": "One less " + label, dataset: { action: "dec", id: productId } }, "−"),
      el("span", { class: "qty", "aria-live": "polite" }, quantity),
      el("button", {
        type: "button", "aria-label": "One more " + label,
        dataset: { action: "inc", id: productId }, disabled: quantity >= stock,
      }, "+"));
  }

  function productItem(p) {
    return el("li", { class: "product", dataset: { productId: p.id } },
      el("div", { class: "info" },
        el("strong", { class: "name" }, p.name),
        el("span", { class: "meta" }, p.sku + " · ",
          el("button", { type: "button", class: "link", dataset: { action: "seller", id: p.seller_id, name: p.seller_name } }, p.seller_name)),
        el("span", { class: p.stock <= 5 ? "stock low" : "stock" }, stockText(p.stock))),
      el("div", { class: "buy" },
        el("span", { class: "price" }, W.money(p.price)),
        stepper(p.id, quantityInCart(p.id), p.stock, p.name)));
  }

  function renderProducts() {
    const list = document.getElementById("products");
    list.replaceChildren(...Array.from(state.products.values(), productItem));
    document.getElementById("products-empty").hidden = state.products.size > 0;
    document.getElementById("more").hidden = state.nextAfter === null;
    const filter = document.getElementById("filter");
    filter.hidden = state.sellerId === null;
    if (state.sellerId !== null) {
      filter.replaceChildren("Only items from " + state.sellerName + " · ",
        el("button", { type: "button", class: "link", dataset: { action: "all-sellers" } }, "show all sellers"));
    }
  }

  function cartLine(line) {
    const short = line.short_by > 0
      ? el("span", { class: "stock low" }, line.stock > 0 ? "Only " + line.stock + " left" : "Sold out")
      : null;
    return el("li", { class: "line", dataset: { productId: line.product_id } },
      el("span", { class: "name" }, line.name, short ? " " : "", short),
      stepper(line.product_id, line.quantity, line.stock, line.name),
      el("span", { class: "amount" }, W.money(line.line_total)));
  }

  function renderCart() {
    const cart = state.cart;
    document.getElementById("cart-lines").replaceChildren(...cart.lines.map(cartLine));
    document.getElementById("cart-empty").hidden = cart.lines.length > 0;
    document.getElementById("cart-seller").textContent = cart.seller_name ? "From " + cart.seller_name : "";
    document.getElementById("cart-total").textContent = W.money(cart.total);
    document.getElementById("cart-title").textContent =
      cart.item_count ? "Your cart (" + cart.item_count + ")" : "Your cart";
    document.getElementById("checkout").disabled = !cart.can_checkout || state.busy;
    document.getElementById("clear-cart").disabled = cart.lines.length === 0 || state.busy;
    renderProducts();
  }

  async function loadProducts(reset) {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (state.query) params.set("q", state.query);
    if (state.sellerId !== null) params.set("seller_id", String(state.sellerId));
    if (!reset && state.nextAfter !== null) params.set("after", String(state.nextAfter));
    try {
      const page = await W.api("GET", "/api/products?" + params);
      if (reset) state.products.clear();
      for (const p of page.items) state.products.set(p.id, p);
      state.nextAfter = page.next_after;
      renderProducts();
    } catch (err) {
      W.notify("Could not load products: " + err.message);
    }
  }

  function sellerConflict(details) {
    const dialog = document.getElementById("seller-dialog");
    document.getElementById("seller-dialog-text").textContent =
      "Your cart has items from " + (details.cart_seller || "another seller") + ". Replace it?";
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "replace"), { once: true });
      dialog.returnValue = "";
      dialog.showModal();
    });
  }

  function noteStock(details) {
    for (const line of (details && details.lines) || []) {
      const p = state.products.get(line.product_id);
      if (p) p.stock = line.available;
    }
  }

  /* A tap records the wanted quantity at once (shown right away); the taps are sent one
     request at a time, so quick taps add up instead of being lost. */
  function tap(productId, quantity) {
    state.wanted.set(productId, Math.max(0, quantity));
    renderProducts();
    flush();
  }

  async function flush() {
    if (state.busy || state.wanted.size === 0) return;
    const [productId, quantity] = state.wanted.entries().next().value;
    await setQuantity(productId, quantity, false);
    flush();
  }

  async function setQuantity(productId, quantity, replace) {
    state.busy = true;
    W.clearNotice();
    try {
      state.cart = await W.api("PUT", "/api/cart/items/" + productId, {
        body: { quantity: quantity, replace: !!replace },
      });
      if (state.wanted.get(productId) === quantity) state.wanted.delete(productId);
      sessionStorage.removeItem(CHECKOUT_KEY);
      if (replace) W.notify("Cart replaced.", "ok");
    } catch (err) {
      state.wanted.clear();
      if (err.code === "seller_conflict") {
        state.busy = false;
        renderProducts();
        if (await sellerConflict(err.details)) return setQuantity(productId, quantity, true);
        W.notify("Kept your cart from " + (err.details.cart_seller || "the other seller") + ".", "info");
        return;
      }
      if (err.code === "out_of_stock") noteStock(err.details);
      W.notify(err.message);
    } finally {
      state.busy = false;
      if (state.cart) renderCart();
    }
  }

  async function loadCart() {
    try {
      state.cart = await W.api("GET", "/api/cart");
      renderCart();
    } catch (err) {
      W.notify("Could not load your cart: " + err.message);
    }
  }

  async function checkout() {
    const button = document.getElementById("checkout");
    let key = sessionStorage.getItem(CHECKOUT_KEY);
    if (!key) {
      key = W.newKey();
      sessionStorage.setItem(CHECKOUT_KEY, key);
    }
    button.disabled = true;
    button.textContent = "Placing order…";
    try {
      const order = await W.api("POST", "/api/checkout", { key: key });
      sessionStorage.removeItem(CHECKOUT_KEY);
      location.assign("/payment/" + order.id);
      return;
    } catch (err) {
      if (err.code !== "network") sessionStorage.removeItem(CHECKOUT_KEY);
      if (err.code === "out_of_stock") {
        noteStock(err.details);
        await loadCart();
      }
      W.notify(err.message);
    }
    button.textContent = "Checkout";
    button.disabled = !(state.cart && state.cart.can_checkout);
  }

  async function clearCart() {
    try {
      state.cart = await W.api("DELETE", "/api/cart");
      sessionStorage.removeItem(CHECKOUT_KEY);
      renderCart();
    } catch (err) {
      W.notify(err.message);
    }
  }

  function onClick(event) {
    const target = event.target.closest("button[data-action]");
    if (!target) return;
    const action = target.dataset.action;
    const id = Number(target.dataset.id);
    if (action === "inc") tap(id, quantityInCart(id) + 1);
    else if (action === "dec") tap(id, quantityInCart(id) - 1);
    else if (action === "seller") {
      state.sellerId = id;
      state.sellerName = target.dataset.name;
      loadProducts(true);
    } else if (action === "all-sellers") {
      state.sellerId = null;
      loadProducts(true);
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    document.querySelector(".shop").addEventListener("click", onClick);
    document.getElementById("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      state.query = document.getElementById("search").value.trim();
      loadProducts(true);
    });
    document.getElementById("more").addEventListener("click", () => loadProducts(false));
    document.getElementById("checkout").addEventListener("click", checkout);
    document.getElementById("clear-cart").addEventListener("click", clearCart);
    try {
      await W.requireLogin();
    } catch (err) {
      return;
    }
    await Promise.all([loadCart(), loadProducts(true)]);
  });
})();
