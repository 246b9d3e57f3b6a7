/*
 * France Services — shared helpers of the widget (widget.js) and of the citizen's booking page
 * (rendez-vous.js). The gateway serves this file in front of each of them, in the same response, so the
 * partner's two-line embed does not change. Plain JavaScript, no build step; one global name,
 * `FranceServicesKit`, defined once.
 */
(() => {
  "use strict";

  if (window.FranceServicesKit) return;

  const MESSAGES = {
    genericError: "Une erreur est survenue. Réessayez dans quelques instants.",
    networkError: "Le service est injoignable. Vérifiez votre connexion et réessayez.",
  };

  // ---------------------------------------------------------------- formatting (fr-FR, place's time zone)

  function clock(hhmm) {
    const [h, m] = hhmm.split(":");
    return m === "00" ? `${Number(h)} h` : `${Number(h)} h ${m}`;
  }

  function zoned(date, zone, options) {
    return new Intl.DateTimeFormat("fr-FR", { timeZone: zone || "Europe/Paris", ...options }).format(date);
  }

  function dayKey(date, zone) {
    return zoned(date, zone, { year: "numeric", month: "2-digit", day: "2-digit" });
  }

  function longDay(date, zone) {
    return zoned(date, zone, { weekday: "long", day: "numeric", month: "long" });
  }

  function timeOf(date, zone) {
    const [h, m] = zoned(date, zone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).split(":");
    return clock(`${h}:${m}`);
  }

  // ---------------------------------------------------------------- API

  /** Free slots of a slots answer, each with its parsed start and the raw API item. */
  function slotsOf(body) {
    return ((body && body.slots) || []).map((raw) => ({ start: new Date(raw.starts_at), raw }));
  }

  function safeUrl(value) {
    try {
      const url = new URL(value, window.location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch {
      return null;
    }
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** A refusal of the API: `message` is the problem's French `detail`, `problem` its whole body. */
  class ApiError extends Error {
    constructor(message, status, problem) {
      super(message);
      this.status = status;
      this.problem = problem || null;
    }
  }

  /** JSON call; `params` values may be arrays (repeated parameters). Throws ApiError. */
  async function request(url, { method = "GET", params, body, headers = {} } = {}) {
    const target = new URL(url);
    for (const [k, v] of Object.entries(params || {})) {
      for (const item of Array.isArray(v) ? v : [v]) {
        if (item !== null && item !== undefined && item !== "") target.searchParams.append(k, item);
      }
    }
    const sent = { Accept: "application/json", ...headers };
    if (body !== undefined) sent["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(target, {
        method,
        headers: sent,
        body: body === undefined ? undefined : JSON.stringify(body),
        mode: "cors",
        credentials: "omit",
      });
    } catch {
      throw new ApiError(MESSAGES.networkError, 0);
    }
    let payload = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    if (!response.ok) {
      // problem+json (RFC 9457): its `detail` is written in French for the person reading it.
      const detail = payload && typeof payload.detail === "string" ? payload.detail : MESSAGES.genericError;
      throw new ApiError(detail, response.status, payload);
    }
    return payload;
  }

  // ---------------------------------------------------------------- DOM helper: text only, never HTML

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  const present = (...nodes) => nodes.flat().filter(Boolean);

  let uid = 0;
  const nextId = (prefix) => `fs-${prefix}-${++uid}`;

  // ---------------------------------------------------------------- slot choice (radio buttons per day)

  /**
   * Renders `slots` into `box` as one fieldset per local day (three days at first, then "more"),
   * each slot a radio button labelled with its local time. `isChecked(slot)` and `onPick(slot)` keep the
   * caller's state.
   */
  function renderSlotDays(box, slots, zone, { legend, more, isChecked, onPick }) {
    const days = new Map();
    for (const slot of slots) {
      const key = dayKey(slot.start, zone);
      if (!days.has(key)) days.set(key, []);
      days.get(key).push(slot);
    }
    const groups = [...days.values()];
    const step = 3;
    const choice = (slot) => {
      const id = nextId("slot");
      const input = h("input", {
        type: "radio",
        name: "slot",
        id,
        value: slot.raw.starts_at,
        checked: isChecked(slot),
      });
      input.addEventListener("change", () => onPick(slot));
      return h("span", { class: "fs-slot-choice" }, input, h("label", { for: id, text: timeOf(slot.start, zone) }));
    };
    const render = (count) => {
      const fieldsets = groups.slice(0, count).map((daySlots) =>
        h(
          "fieldset",
          { class: "fs-slot-day" },
          h("legend", { text: legend(longDay(daySlots[0].start, zone)) }),
          h("div", { class: "fs-slot-list" }, daySlots.map(choice)),
        ));
      const button = count < groups.length
        ? h("button", {
          type: "button",
          class: "fs-secondary",
          text: more,
          onclick: () => {
            render(count + step);
            box.querySelectorAll("fieldset")[count].querySelector("input").focus();
          },
        })
        : null;
      box.replaceChildren(...present(fieldsets, button));
    };
    render(step);
  }

  window.FranceServicesKit = Object.freeze({
    clock,
    zoned,
    dayKey,
    longDay,
    timeOf,
    slotsOf,
    safeUrl,
    newKey,
    ApiError,
    request,
    h,
    present,
    nextId,
    renderSlotDays,
  });
})();
