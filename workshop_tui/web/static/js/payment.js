/* payment.js: pay an order (UPI, card or cash), see a decline, retry, or cancel the order.
   A Pay press keeps its Idempotency-Key until a payment result answers it: after a lost
   answer (network, 503, 500) the payment may have gone through, and the retry with the same
   key gets it back instead of "only unpaid orders can be paid". A refusal wrote nothing under
   the key, so keeping it costs nothing. */
"use strict";

(function () {
  const W = window.Workshop;
  const el = W.el;
  const state = { order: null, attemptKey: null, busy: false };

  function orderId() {
    return Number(document.getElementById("payment").dataset.orderId);
  }

  function render() {
    const order = state.order;
    document.getElementById("order-status").textContent = order.status_label + " · " + order.seller_name;
    document.getElementById("order-status").className = "status " + order.status;
    document.getElementById("order-lines").replaceChildren(...order.lines.map((line) =>
      el("li", { class: "line" },
        el("span", { class: "name" }, line.quantity + " × " + line.name),
        el("span", { class: "amount" }, W.money(line.line_total)))));
    document.getElementById("order-total").textContent = W.money(order.total);
    const payable = W.allows(order, "pay");
    document.getElementById("order-expiry").textContent = payable && order.expires_at
      ? "Pay by " + new Date(order.expires_at).toLocaleTimeString() + " or the items go back on the shelf."
      : "";
    document.getElementById("pay-form").hidden = !payable;
    document.getElementById("cancel-order").hidden = !W.allows(order, "cancel");
    // Paid and not yet collected: the charge stands and the order can still be cancelled.
    const charge = W.paidCharge(order);
    const paid = Boolean(charge) && W.allows(order, "cancel");
    document.getElementById("paid").hidden = !paid;
    if (paid) {
      const ledger = charge.ledger ? " · ledger " + charge.ledger.chain + " #" + charge.ledger.seq +
        " " + charge.ledger.short_hash : "";
      document.getElementById("receipt").textContent =
        W.money(charge.amount) + " by " + charge.method.toUpperCase() + " · ref " + charge.reference + ledger;
    }
    document.getElementById("closed").hidden = payable || paid;
    const payButton = document.getElementById("pay");
    payButton.disabled = state.busy;
    document.getElementById("cancel-order").disabled = state.busy;
  }

  async function load() {
    try {
      state.order = await W.api("GET", "/api/orders/" + orderId());
      render();
    } catch (err) {
      W.notify(err.code === "not_found" ? "There is no such order of yours." : err.message);
    }
  }

  async function pay(event) {
    event.preventDefault();
    if (state.busy) return;
    const form = document.getElementById("pay-form");
    const method = form.querySelector("input[name=method]:checked").value;
    const outcome = document.getElementById("simulate-decline").checked ? "decline" : "success";
    if (!state.attemptKey) state.attemptKey = W.newKey();
    state.busy = true;
    render();
    W.clearNotice();
    try {
      const result = await W.api("POST", "/api/orders/" + orderId() + "/pay", {
        body: { method: method, outcome: outcome },
        key: state.attemptKey,
      });
      state.attemptKey = null;
      state.order = result.order;
      if (result.succeeded) {
        W.notify("Payment received: " + result.payment.reference, "ok");
      } else {
        W.notify("Payment declined (" + result.payment.reference + "). Nothing was charged: " +
          "try again or choose another method.");
        document.getElementById("pay").textContent = "Try again";
        document.getElementById("simulate-decline").checked = false;
      }
    } catch (err) {
      const unanswered = err.code === "network" || err.status >= 500;
      W.notify(unanswered ? err.message + " Pressing Pay again will not charge twice." : err.message);
      if (err.code === "invalid_state") await load();
    } finally {
      state.busy = false;
      if (state.order) render();
    }
  }

  async function cancel() {
    if (state.busy || !window.confirm("Cancel order #" + orderId() + "? The items go back on the shelf.")) return;
    state.busy = true;
    render();
    try {
      state.order = await W.api("POST", "/api/orders/" + orderId() + "/cancel", {
        body: { reason: "cancelled on the payment page" },
      });
      W.notify("Order #" + orderId() + " cancelled.", "ok");
    } catch (err) {
      W.notify(err.message);
      if (err.code === "invalid_state") await load();
    } finally {
      state.busy = false;
      if (state.order) render();
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    document.getElementById("pay-form").addEventListener("submit", pay);
    document.getElementById("cancel-order").addEventListener("click", cancel);
    try {
      await W.requireLogin();
    } catch (err) {
      return;
    }
    await load();
  });
})();
