/* profile.js: the account, its order history (newest first), cancellations and returns. */
"use strict";

(function () {
  const W = window.Workshop;
  const el = W.el;
  const state = { orders: new Map(), nextBefore: null };

  function when(iso) {
    return iso ? new Date(iso).toLocaleString() : "";
  }

  function returnForm(order) {
    const lines = order.lines.filter((line) => line.returnable_qty > 0);
    if (!lines.length) return null;
    return el("form", { class: "returns", dataset: { orderId: order.id } },
      el("p", { class: "hint" }, "Return items (within the return window):"),
      ...lines.map((line) => el("label", { class: "return-line" },
        el("span", {}, line.name + " (" + line.returnable_qty + " can be returned)"),
        el("input", {
          type: "number", min: "0", max: String(line.returnable_qty), value: "0", inputmode: "numeric",
          name: "qty", dataset: { productId: line.product_id }, "aria-label": "Return how many " + line.name,
        }))),
      el("input", { name: "reason", maxlength: "500", placeholder: "Reason (optional)", "aria-label": "Reason" }),
      el("button", { type: "submit", dataset: { action: "return" } }, "Return selected"));
  }

  function orderItem(order) {
    const refunded = Number(order.refunded_total) > 0
      ? el("p", { class: "hint" }, "Refunded " + W.money(order.refunded_total)) : null;
    const actions = el("div", { class: "row" });
    if (W.allows(order, "pay")) {
      actions.append(el("a", { class: "button primary", href: "/payment/" + order.id }, "Pay now"));
    }
    if (W.allows(order, "cancel")) {
      actions.append(el("button", { type: "button", class: "danger", dataset: { action: "cancel", id: order.id } },
        W.paidCharge(order) ? "Cancel and refund" : "Cancel"));
    }
    return el("li", { class: "order card", id: "order-" + order.id, dataset: { status: order.status } },
      el("div", { class: "order-head" },
        el("strong", {}, "Order #" + order.id),
        el("span", { class: "status " + order.status }, order.status_label),
        el("span", { class: "amount" }, W.money(order.total))),
      el("p", { class: "hint" }, order.seller_name + " · " + when(order.created_at)),
      el("ul", { class: "lines" }, ...order.lines.map((line) => el("li", { class: "line" },
        el("span", { class: "name" }, line.quantity + " × " + line.name +
          (line.returned_qty ? " (" + line.returned_qty + " returned)" : "")),
        el("span", { class: "amount" }, W.money(line.line_total))))),
      refunded,
      actions.childElementCount ? actions : null,
      W.allows(order, "return") ? returnForm(order) : null);
  }

  function render() {
    const list = document.getElementById("orders");
    list.replaceChildren(...Array.from(state.orders.values(), orderItem));
    document.getElementById("orders-empty").hidden = state.orders.size > 0;
    document.getElementById("more-orders").hidden = state.nextBefore === null;
  }

  function replaceOrder(order) {
    state.orders.set(order.id, order);
    const old = document.getElementById("order-" + order.id);
    if (old) old.replaceWith(orderItem(order));
  }

  async function loadOrders(more) {
    const params = new URLSearchParams({ limit: "10" });
    if (more && state.nextBefore !== null) params.set("before", String(state.nextBefore));
    try {
      const page = await W.api("GET", "/api/orders?" + params);
      if (!more) state.orders.clear();
      for (const order of page.items) state.orders.set(order.id, order);
      state.nextBefore = page.next_before;
      render();
    } catch (err) {
      W.notify("Could not load your orders: " + err.message);
    }
  }

  async function cancel(button) {
    const id = Number(button.dataset.id);
    if (!window.confirm("Cancel order #" + id + "?")) return;
    button.disabled = true;
    try {
      const order = await W.api("POST", "/api/orders/" + id + "/cancel", { body: { reason: "cancelled by the customer" } });
      replaceOrder(order);
      W.notify("Order #" + id + " cancelled" +
        (Number(order.refunded_total) > 0 ? "; " + W.money(order.refunded_total) + " refunded." : "."), "ok");
    } catch (err) {
      button.disabled = false;
      W.notify(err.message);
    }
  }

  async function submitReturn(form) {
    const id = Number(form.dataset.orderId);
    const items = [];
    for (const input of form.querySelectorAll("input[name=qty]")) {
      const quantity = Number(input.value);
      if (!Number.isInteger(quantity) || quantity < 0 || quantity > Number(input.max)) {
        W.notify("Choose between 0 and " + input.max + " to return.");
        input.focus();
        return;
      }
      if (quantity > 0) items.push({ product_id: Number(input.dataset.productId), quantity: quantity });
    }
    if (!items.length) {
      W.notify("Choose how many of an item to return.");
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const order = await W.api("POST", "/api/orders/" + id + "/returns", {
        body: { items: items, reason: form.reason.value.trim() },
      });
      replaceOrder(order);
      W.notify("Return accepted for order #" + id + "; " + W.money(order.refunded_total) + " refunded in all.", "ok");
    } catch (err) {
      button.disabled = false;
      W.notify(err.message);
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const list = document.getElementById("orders");
    list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action=cancel]");
      if (button) cancel(button);
    });
    list.addEventListener("submit", (event) => {
      event.preventDefault();
      submitReturn(event.target);
    });
    document.getElementById("more-orders").addEventListener("click", () => loadOrders(true));
    let account;
    try {
      account = await W.requireLogin();
    } catch (err) {
      return;
    }
    document.getElementById("account").textContent = "Signed in as " + account.display_name +
      (account.phone && account.phone !== account.display_name ? " · " + account.phone : "");
    await loadOrders(false);
  });
})();
