/* auth.js: the session (login and register, logout, CSRF token) and the small helpers
   every page uses: api() over fetch(), notices, money, idempotency keys, DOM building. */
"use strict";

(function () {
  const state = { csrf: null, account: null };

  class ApiError extends Error {
    constructor(status, code, message, details) {
      super(message);
      this.status = status;
      this.code = code;
      this.details = details || {};
    }
  }

  function notify(message, kind) {
    const box = document.getElementById("notice");
    if (!box) return;
    box.textContent = message;
    box.className = "notice " + (kind || "error");
    box.hidden = false;
    clearTimeout(notify.timer);
    if (kind === "ok" || kind === "info") {
      notify.timer = setTimeout(() => { box.hidden = true; }, 5000);
    }
  }

  function clearNotice() {
    const box = document.getElementById("notice");
    if (box) box.hidden = true;
  }

  function goToLogin() {
    const next = location.pathname + location.search;
    location.assign("/login?next=" + encodeURIComponent(next));
  }

  async function refreshSession() {
    const response = await fetch("/api/me", { credentials: "same-origin" });
    if (response.status === 401) {
      state.account = null;
      state.csrf = null;
      return null;
    }
    if (!response.ok) throw new ApiError(response.status, "http_error", "could not load your session");
    const data = await response.json();
    state.account = data.account;
    state.csrf = data.csrf_token;
    showWho();
    return data.account;
  }

  /* fetch() a JSON API route; resolves with the parsed body, rejects with ApiError.
     opts: {body, key (Idempotency-Key), allow401 (do not redirect to the login page)}. */
  async function api(method, path, opts) {
    opts = opts || {};
    const headers = { "Accept": "application/json" };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    if (opts.key) headers["Idempotency-Key"] = opts.key;
    if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
    let response;
    try {
      response = await fetch(path, {
        method: method,
        headers: headers,
        credentials: "same-origin",
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch (err) {
      throw new ApiError(0, "network", "Cannot reach the shop. Check your connection and try again.");
    }
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    if (response.ok) return data;
    const error = (data && data.error) || {};
    const failure = new ApiError(
      response.status,
      error.code || "http_error",
      error.message || "The shop answered " + response.status + ". Try again.",
      error.details
    );
    if (failure.code === "csrf_failed" && !opts.retried) {
      await refreshSession();
      return api(method, path, Object.assign({}, opts, { retried: true }));
    }
    if (response.status === 401 && failure.code === "auth_required" && !opts.allow401) {
      goToLogin();
    }
    throw failure;
  }

  function money(text) {
    return "₹" + text;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* el("li", {class: "x", dataset: {id: 1}, onclick: fn}, "text", child) */
  function el(tag, attrs) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "dataset") Object.assign(node.dataset, value);
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "class") node.className = value;
      else if (value === true) node.setAttribute(name, "");
      else node.setAttribute(name, value);
    }
    for (let i = 2; i < arguments.length; i++) {
      const child = arguments[i];
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  /* What the signed-in person may do to an order now: the API decides, pages only ask. */
  function allows(order, action) {
    return order.allowed_actions.includes(action);
  }

  /* The order's succeeded charge, if it was paid. */
  function paidCharge(order) {
    return order.payments.find((p) => p.kind === "charge" && p.status === "succeeded") || null;
  }

  function showWho() {
    const who = document.getElementById("who");
    const logout = document.getElementById("logout");
    if (!who || !logout) return;
    who.hidden = logout.hidden = !state.account;
    if (state.account) who.textContent = state.account.display_name;
  }

  async function logout() {
    try {
      await api("POST", "/api/auth/logout", { allow401: true });
    } catch (err) {
      if (err.status !== 401) {
        notify(err.message);
        return;
      }
    }
    location.assign("/login");
  }

  function setupLoginForm(form) {
    const button = document.getElementById("login-submit");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearNotice();
      const login = form.login.value.trim();
      const password = form.password.value;
      if (!login || !password) {
        notify("Enter your mobile number (or username) and your PIN.");
        return;
      }
      button.disabled = true;
      try {
        const body = { login: login, password: password };
        if (form.name.value.trim()) body.name = form.name.value.trim();
        const data = await api("POST", "/api/auth/login", { body: body, allow401: true });
        state.csrf = data.csrf_token;
        state.account = data.account;
        notify(data.created ? "Welcome! Your account is ready." : "Welcome back.", "ok");
        location.assign(form.dataset.next || "/shop");
      } catch (err) {
        notify(err.message);
        button.disabled = false;
      }
    });
  }

  window.Workshop = {
    api: api,
    ApiError: ApiError,
    notify: notify,
    clearNotice: clearNotice,
    money: money,
    newKey: newKey,
    el: el,
    allows: allows,
    paidCharge: paidCharge,
    state: state,
    /* resolves with the account, or sends the visitor to the login page */
    requireLogin: async function () {
      let account = null;
      try {
        account = await refreshSession();
      } catch (err) {
        notify(err.message);
        throw err;
      }
      if (!account) {
        goToLogin();
        throw new ApiError(401, "auth_required", "log in first");
      }
      return account;
    },
  };

  document.addEventListener("DOMContentLoaded", () => {
    const logoutButton = document.getElementById("logout");
    if (logoutButton) logoutButton.addEventListener("click", logout);
    const form = document.getElementById("login-form");
    if (form) setupLoginForm(form);
    const page = document.body.dataset.page;
    if (page === "index" || page === "login") {
      refreshSession().catch(() => {});
    }
  });
})();
