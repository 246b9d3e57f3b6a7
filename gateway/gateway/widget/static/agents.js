/*
 * France Services — the agents' console (/agents). Plain JavaScript, no build step, served after kit.js.
 * The agent token lives in this closure only (never in storage, never in an address); when it expires
 * the page asks to sign in again and keeps what was typed.
 */
(() => {
  "use strict";

  const { request, ApiError, h, present, newKey, slotsOf, renderSlotDays, timeOf, longDay } = window.FranceServicesKit;
  const $ = (id) => document.getElementById(id);
  /** « de Jeanne », « d'Inès »: French elides « de » before a vowel or a mute h. */
  const ofPerson = (who) => (/^[aeiouyhàâäéèêëîïôöùûü]/i.test(who) ? `d'${who}` : `de ${who}`);
  const API = window.location.origin;
  const body = document.body;

  const STATUS = {
    confirmed: "Confirmé",
    honoured: "Honoré",
    no_show: "Absent",
    excused: "Excusé",
    cancelled: "Annulé par la personne",
    cancelled_by_site: "Annulé par la France Services",
    solved: "Résolu sur place",
    redirected: "Réorienté",
  };
  const CHANNEL = { online: "En ligne", agent: "Par un agent", walk_in: "Sans rendez-vous" };
  const AGENT_STATUSES = ["honoured", "no_show", "excused", "cancelled", "cancelled_by_site"];
  const CANCELLATIONS = ["cancelled", "cancelled_by_site"];
  // What the agent picks (the person is notified of a cancellation, told who asked for it).
  const CHOICE = { ...STATUS, cancelled: "Annulé à la demande de la personne" };

  let auth = null; // { token, role, sites, timer }
  let site = null; // the open France Services' id
  let zone = "Europe/Paris";
  let agendaId = null;
  let demarches = [];
  let chosenSlot = null;
  let bookingKey = newKey();
  let pendingException = null;
  let moving = null; // the booking being rescheduled
  let movedSlot = null;
  let confirmedId = null; // the booking whose printable confirmation is shown

  // ---------------------------------------------------------------- helpers

  const say = (text) => {
    $("fs-live").textContent = "";
    window.setTimeout(() => { $("fs-live").textContent = text; }, 50);
  };
  const localDay = (date) => new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(date);
  const hhmm = (iso) => iso.slice(11, 16);
  const shiftDay = (iso, days) => {
    const d = new Date(`${iso}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  };

  function fail(target, error) {
    if (error instanceof ApiError && error.status === 401) return; // expire() has taken over
    $(target).textContent = error instanceof ApiError ? error.message : "Une erreur est survenue. Réessayez.";
  }

  async function api(path, options = {}) {
    if (!auth) {
      expire("Votre session a expiré : reconnectez-vous.");
      throw new ApiError("Session expirée", 401);
    }
    try {
      return await request(`${API}${path}`, {
        ...options,
        headers: { ...(options.headers || {}), Authorization: `Bearer ${auth.token}` },
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) expire(error.message);
      throw error;
    }
  }

  async function download(path, fallbackName) {
    if (!auth) return expire("Votre session a expiré : reconnectez-vous.");
    const response = await fetch(`${API}${path}`, {
      headers: { Accept: "text/csv", Authorization: `Bearer ${auth.token}` },
      credentials: "omit",
    });
    if (response.status === 401) return expire("Votre session a expiré : reconnectez-vous.");
    if (!response.ok) throw new ApiError("Le téléchargement a échoué. Réessayez.", response.status);
    const disposition = response.headers.get("content-disposition") || "";
    const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || fallbackName;
    const url = URL.createObjectURL(await response.blob());
    const link = h("a", { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    say(`Fichier ${name} téléchargé.`);
  }

  // ---------------------------------------------------------------- sign-in

  function showSignin(reason) {
    $("fs-console").hidden = true;
    $("fs-who").hidden = true;
    $("fs-signin").hidden = false;
    $("fs-signin-reason").hidden = !reason;
    $("fs-signin-reason").textContent = reason || "";
    const builtin = body.dataset.auth !== "oidc";
    $("fs-login-form").hidden = !builtin;
    $("fs-oidc-box").hidden = builtin;
    $("fs-signin-title").focus();
  }

  function expire(reason) {
    if (auth && auth.timer) window.clearTimeout(auth.timer);
    auth = null;
    $("fs-password").value = "";
    showSignin(reason);
  }

  function signedIn(answer) {
    const previousSite = site;
    auth = { token: answer.access_token, role: answer.role, sites: answer.sites, timer: null };
    const lifetime = Math.max(0, Number(answer.expires_in) * 1000 - 2000);
    auth.timer = window.setTimeout(() => expire("Votre session a expiré : reconnectez-vous."), lifetime);
    $("fs-signin").hidden = true;
    $("fs-signin-error").textContent = "";
    $("fs-who").hidden = false;
    $("fs-who-text").textContent = answer.role === "national_admin" ? "Administration nationale" : "Agent connecté";
    $("fs-console").hidden = false;
    const national = answer.role === "national_admin";
    $("fs-site-pick-box").hidden = national;
    $("fs-site-id-box").hidden = !national;
    $("fs-scope-box").hidden = !national;
    $("fs-site-pick").replaceChildren(
      ...answer.sites.map((id) => h("option", { value: id, text: `France Services n° ${id}` })),
    );
    const stillMine = previousSite && (national || answer.sites.includes(previousSite));
    if (stillMine) {
      // Same agent back after an expiry: everything typed is still on the page.
      $("fs-console-title").focus();
      return;
    }
    clearSite();
    if (!national && answer.sites.length) openSite(answer.sites[0]);
    else $("fs-console-title").focus();
  }

  $("fs-login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("fs-signin-error").textContent = "";
    const email = $("fs-email").value.trim();
    const password = $("fs-password").value;
    if (!email || !password) {
      $("fs-signin-error").textContent = "Indiquez votre adresse e-mail et votre mot de passe.";
      return;
    }
    try {
      const answer = await request(`${API}/v1/auth/login`, { method: "POST", body: { email, password } });
      $("fs-password").value = "";
      signedIn(answer);
    } catch (error) {
      $("fs-signin-error").textContent = error.message;
      $("fs-password").focus();
    }
  });

  // OpenID Connect (implicit flow, response_type=id_token): the provider sends the ID token back after
  // the `#`, which the page exchanges for an agent token and removes from the address at once.
  $("fs-oidc").addEventListener("click", () => {
    const state = newKey();
    const nonce = newKey();
    window.sessionStorage.setItem("fs-oidc", JSON.stringify({ state, nonce }));
    const url = new URL(body.dataset.oidcAuthorize);
    url.search = new URLSearchParams({
      response_type: "id_token",
      client_id: body.dataset.oidcClient,
      redirect_uri: `${body.dataset.publicUrl}/agents`,
      scope: "openid",
      state,
      nonce,
    }).toString();
    window.location.assign(url.href);
  });

  async function oidcReturn() {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const idToken = fragment.get("id_token");
    if (!idToken) return false;
    window.history.replaceState(null, "", window.location.pathname);
    const expected = JSON.parse(window.sessionStorage.getItem("fs-oidc") || "{}");
    window.sessionStorage.removeItem("fs-oidc");
    if (!expected.state || fragment.get("state") !== expected.state) {
      showSignin("La connexion n'a pas abouti : recommencez.");
      return true;
    }
    try {
      const answer = await request(`${API}/v1/auth/oidc/token`, { method: "POST", body: { id_token: idToken, nonce: expected.nonce } });
      signedIn(answer);
    } catch (error) {
      showSignin(error.message);
    }
    return true;
  }

  $("fs-signout").addEventListener("click", () => {
    if (auth && auth.timer) window.clearTimeout(auth.timer);
    auth = null;
    site = null;
    clearSite();
    for (const form of document.querySelectorAll("#fs-console form")) form.reset();
    showSignin("Vous êtes déconnecté(e).");
  });

  // ---------------------------------------------------------------- the site

  function clearSite() {
    site = null;
    agendaId = null;
    chosenSlot = null;
    pendingException = null;
    confirmedId = null;
    closeMove();
    $("fs-day-done").hidden = true;
    $("fs-day-table").querySelector("tbody").replaceChildren();
    for (const id of ["fs-day-summary", "fs-day-done", "fs-book-slots", "fs-book-done", "fs-exc-check", "fs-activity-out",
      "fs-exception-list", "fs-day-error", "fs-book-error", "fs-walkin-error", "fs-exc-error", "fs-activity-error"]) {
      $(id).replaceChildren();
    }
    for (const form of document.querySelectorAll("#fs-book-form, #fs-walkin-form, #fs-exception-form")) form.reset();
  }

  $("fs-site-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const national = auth && auth.role === "national_admin";
    const id = Number(national ? $("fs-site-id").value : $("fs-site-pick").value);
    if (!Number.isInteger(id) || id < 1 || id > 2147483647) {
      $("fs-day-error").textContent = "Indiquez l'identifiant (un nombre) de la France Services.";
      $("fs-site-id").focus();
      return;
    }
    clearSite();
    openSite(id);
  });

  async function openSite(id) {
    site = id;
    $("fs-site-pick").value = String(id);
    $("fs-console-title").textContent = `France Services n° ${id}`;
    if (!$("fs-date").value) $("fs-date").value = localDay(new Date());
    if (!$("fs-book-date").value) $("fs-book-date").value = localDay(new Date());
    if (!$("fs-month").value) $("fs-month").value = localDay(new Date()).slice(0, 7);
    try {
      if (!demarches.length) {
        demarches = (await request(`${API}/v1/demarches`)).filter((d) => d.modalities.includes("on_site"));
        fillCatalogue();
      }
      const agenda = await api(`/v1/agent/sites/${id}/agenda`);
      agendaId = agenda.id;
      zone = agenda.timezone || "Europe/Paris";
      renderExceptions(agenda.exceptions || []);
      await loadDay();
      await loadActivity();
      $("fs-console-title").focus();
    } catch (error) {
      fail("fs-day-error", error);
    }
  }

  function fillCatalogue() {
    const options = demarches.map((d) => h("option", { value: d.code, text: d.label }));
    $("fs-book-demarche").replaceChildren(...options);
    $("fs-walkin-demarche").replaceChildren(h("option", { value: "", text: "—" }), ...options.map((o) => o.cloneNode(true)));
    const partners = new Map(demarches.map((d) => [d.partner, d.partner_label]));
    $("fs-walkin-partner").replaceChildren(...[...partners].map(([code, label]) => h("option", { value: code, text: label })));
    $("fs-walkin-demarche").addEventListener("change", () => {
      const chosen = demarches.find((d) => d.code === $("fs-walkin-demarche").value);
      if (chosen) $("fs-walkin-partner").value = chosen.partner;
    });
  }

  // The section links take the focus to the section's heading (a link to a plain section only scrolls).
  for (const link of document.querySelectorAll(".fs-nav a")) {
    link.addEventListener("click", () => {
      const heading = document.querySelector(`${link.hash} h2`);
      if (heading) window.setTimeout(() => heading.focus(), 0);
    });
  }

  // ---------------------------------------------------------------- the day

  let dayTicket = 0;

  async function loadDay() {
    const date = $("fs-date").value;
    const ticket = ++dayTicket;
    $("fs-day-error").textContent = "";
    const [bookings, visits] = await Promise.all([
      api(`/v1/agent/sites/${site}/bookings`, { params: { date } }),
      api(`/v1/agent/sites/${site}/visits`, { params: { date } }),
    ]);
    if (ticket !== dayTicket) return; // a later day was asked for meanwhile: its answer wins
    const rows = [
      ...bookings.map((b) => ({ at: b.starts_at, booking: b })),
      ...visits.map((v) => ({ at: v.occurred_at, visit: v })),
    ].sort((a, b) => new Date(a.at) - new Date(b.at));
    const label = longDay(new Date(`${date}T12:00:00Z`), "UTC");
    $("fs-day-caption").textContent = `Rendez-vous et passages du ${label}`;
    const honoured = bookings.filter((b) => b.status === "honoured").length;
    $("fs-day-summary").textContent =
      `${bookings.length} rendez-vous (dont ${honoured} honoré${honoured > 1 ? "s" : ""}), ` +
      `${visits.length} passage${visits.length > 1 ? "s" : ""} sans rendez-vous.`;
    $("fs-day-table").querySelector("tbody").replaceChildren(...rows.map((r) => (r.booking ? bookingRow(r.booking) : visitRow(r.visit))));
  }

  function bookingRow(b) {
    const person = b.person;
    const who = person ? person.name : "(données effacées)";
    const time = `${hhmm(b.starts_at)} – ${hhmm(b.ends_at)}`;
    const place = b.place.stop_id ? ` (${b.place.name})` : "";
    let action = "";
    if (!CANCELLATIONS.includes(b.status)) {
      const confirmed = b.status === "confirmed";
      const id = `fs-status-${b.id}`;
      const choices = AGENT_STATUSES.filter((s) => s !== b.status && (confirmed || !CANCELLATIONS.includes(s)));
      const select = h("select", { id, "aria-label": `Nouveau statut pour ${who}, ${time}` },
        choices.map((s) => h("option", { value: s, text: CHOICE[s] })));
      action = h("div", { class: "fs-row-action" }, select,
        h("button", { type: "button", class: "fs-secondary", text: "Appliquer", "aria-label": `Appliquer le statut pour ${who}`,
          onclick: () => setStatus(b.id, select.value, who) }),
        confirmed ? h("button", { type: "button", class: "fs-secondary", id: `fs-move-${b.id}`, text: "Reporter",
          "aria-label": `Reporter le rendez-vous ${ofPerson(who)}, ${time}`, onclick: () => openMove(b, who) }) : null);
    }
    return h("tr", { "data-booking": b.id },
      h("td", { text: time + place }),
      h("td", {}, who, person && person.phone ? h("br") : null, person && person.phone ? person.phone : null,
        person && person.email ? h("br") : null, person && person.email ? person.email : null),
      h("td", {}, b.demarches.map((d) => h("div", {}, h("span", { text: d.label }),
        d.documents.length ? h("ul", {}, d.documents.map((doc) => h("li", { text: doc }))) : null))),
      h("td", { text: b.note || "" }),
      h("td", { text: CHANNEL[b.channel] || b.channel }),
      h("td", {}, h("span", { class: `fs-status fs-status-${b.status}`, text: STATUS[b.status] || b.status })),
      h("td", { class: "no-print" }, action));
  }

  function visitRow(v) {
    const partner = ($("fs-walkin-partner").querySelector(`option[value="${v.partner}"]`) || {}).textContent || v.partner;
    const what = [...v.demarches.map((c) => (demarches.find((d) => d.code === c) || { label: c }).label), v.label].filter(Boolean);
    return h("tr", {},
      h("td", { text: hhmm(v.occurred_at) }),
      h("td", { text: "—" }),
      h("td", { text: [partner, ...what].join(" · ") }),
      h("td", { text: `${v.duration_minutes} min` }),
      h("td", { text: CHANNEL.walk_in }),
      h("td", {}, h("span", { class: `fs-status fs-status-${v.outcome}`, text: STATUS[v.outcome] })),
      h("td", { class: "no-print" }));
  }

  async function setStatus(id, status, who) {
    try {
      const changed = await api(`/v1/agent/bookings/${id}`, { method: "PATCH", body: { status } });
      if (moving && moving.id === id) closeMove();
      $("fs-day-done").hidden = true;
      await loadDay();
      if (CANCELLATIONS.includes(status)) {
        // The row keeps no control: the focus goes to what happened, and whether the person is told.
        const how = status === "cancelled" ? "annulé à sa demande" : "annulé par la France Services";
        done(`Rendez-vous ${ofPerson(who)} ${how}. ${notified(changed.person, "de l'annulation")}`);
        return;
      }
      say(`${who} : ${CHOICE[status].toLowerCase()}.`);
      $(`fs-status-${id}`).focus();
    } catch (error) {
      fail("fs-day-error", error);
    }
  }

  const reloadDay = () => loadDay().catch((error) => fail("fs-day-error", error));
  $("fs-date").addEventListener("change", () => { if ($("fs-date").value) reloadDay(); });
  $("fs-prev").addEventListener("click", () => { $("fs-date").value = shiftDay($("fs-date").value, -1); reloadDay(); });
  $("fs-next").addEventListener("click", () => { $("fs-date").value = shiftDay($("fs-date").value, 1); reloadDay(); });
  $("fs-print").addEventListener("click", () => window.print());
  $("fs-csv").addEventListener("click", () => download(
    `/v1/agent/sites/${site}/bookings?date=${$("fs-date").value}&format=csv`, "rendez-vous.csv",
  ).catch((error) => fail("fs-day-error", error)));

  /** A change made for the person, shown under the day and announced; the focus goes there. */
  function done(text) {
    $("fs-day-done").textContent = text;
    $("fs-day-done").hidden = false;
    $("fs-day-done").focus();
    say(text);
  }

  /** What the person is told, and how: notify mails whoever gave an e-mail, and texts a phone only when
   *  the platform has an SMS provider (the gateway's GATEWAY_SMS_NOTIFICATIONS, in data-sms). */
  const notified = (person, what) => {
    const ways = [];
    if (person && person.phone && body.dataset.sms === "true") ways.push("par SMS");
    if (person && person.email) ways.push("par e-mail");
    if (ways.length) return `La personne en est prévenue, comme toujours, ${ways.join(" et ")}.`;
    if (person && person.phone) return `Pas de SMS configuré : prévenez la personne vous-même ${what}, au téléphone indiqué.`;
    return `Aucun téléphone ni e-mail : prévenez la personne vous-même ${what}.`;
  };

  // ---------------------------------------------------------------- reschedule for the person

  function openMove(b, who) {
    moving = { id: b.id, who, starts_at: b.starts_at, place: b.place, demarches: b.demarches.map((d) => d.code) };
    movedSlot = null;
    const start = new Date(b.starts_at);
    $("fs-move-title").textContent = `Reporter le rendez-vous ${ofPerson(who)}`;
    $("fs-move-current").textContent = `Actuellement le ${longDay(start, zone)} à ${timeOf(start, zone)}, pour : `
      + `${b.demarches.map((d) => d.label).join(", ")}. Les créneaux proposés conviennent à ces démarches.`;
    $("fs-move-date").value = b.starts_at.slice(0, 10);
    $("fs-move-slots").replaceChildren();
    $("fs-move-error").textContent = "";
    $("fs-day-done").hidden = true;
    $("fs-move").hidden = false;
    $("fs-move-title").focus();
  }

  function closeMove() {
    moving = null;
    movedSlot = null;
    $("fs-move").hidden = true;
    $("fs-move-title").textContent = "Reporter un rendez-vous"; // no name left behind once closed
    $("fs-move-current").replaceChildren();
    $("fs-move-slots").replaceChildren();
    $("fs-move-error").textContent = "";
  }

  $("fs-move-search").addEventListener("click", async () => {
    if (!moving) return;
    $("fs-move-error").textContent = "";
    movedSlot = null;
    const from = $("fs-move-date").value || localDay(new Date());
    const path = moving.place.stop_id
      ? `/v1/agent/stops/${moving.place.stop_id}/slots`
      : `/v1/agent/sites/${moving.place.site_id}/slots`;
    try {
      const answer = await api(path, { params: { demarche: moving.demarches, from, to: shiftDay(from, 13) } });
      const current = new Date(moving.starts_at).getTime();
      const slots = slotsOf(answer).filter((slot) => slot.start.getTime() !== current);
      const box = $("fs-move-slots");
      if (!slots.length) {
        box.replaceChildren(h("p", { class: "fs-notice", text: "Aucun autre créneau libre sur ces deux semaines." }));
        $("fs-move-date").focus();
        return;
      }
      renderSlotDays(box, slots, zone, {
        legend: (day) => `Nouveaux créneaux du ${day}`,
        more: "Voir plus de jours",
        isChecked: () => false,
        onPick: (slot) => { movedSlot = slot; },
      });
      say(`${slots.length} créneaux libres.`);
      box.querySelector("input").focus();
    } catch (error) {
      fail("fs-move-error", error);
    }
  });

  function abandonMove() {
    const id = moving && moving.id;
    closeMove();
    ($(`fs-move-${id}`) || $("fs-day-title")).focus();
  }
  $("fs-move-cancel").addEventListener("click", abandonMove);
  $("fs-move").addEventListener("keydown", (event) => { if (event.key === "Escape") abandonMove(); });

  $("fs-move-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!moving) return;
    $("fs-move-error").textContent = "";
    if (!movedSlot) {
      $("fs-move-error").textContent = "Choisissez d'abord le nouveau créneau.";
      $("fs-move-search").focus();
      return;
    }
    const { id, who } = moving;
    try {
      const moved = await api(`/v1/agent/bookings/${id}/reschedule`, { method: "POST", body: { starts_at: movedSlot.raw.starts_at } });
      closeMove();
      if (moved.id === confirmedId) renderConfirmation(moved); // what may be printed shows the new time
      $("fs-date").value = moved.starts_at.slice(0, 10);
      await loadDay();
      const start = new Date(moved.starts_at);
      done(`Rendez-vous ${ofPerson(who)} reporté au ${longDay(start, zone)} à ${timeOf(start, zone)}. `
        + notified(moved.person, "du nouvel horaire"));
    } catch (error) {
      fail("fs-move-error", error);
      if (!(error instanceof ApiError && error.status === 401)) $("fs-move-search").focus();
    }
  });

  // ---------------------------------------------------------------- book for someone

  $("fs-book-search").addEventListener("click", async () => {
    $("fs-book-error").textContent = "";
    chosenSlot = null;
    const from = $("fs-book-date").value || localDay(new Date());
    try {
      const answer = await api(`/v1/agent/sites/${site}/slots`, {
        params: { demarche: $("fs-book-demarche").value, from, to: shiftDay(from, 13) },
      });
      const slots = slotsOf(answer);
      const box = $("fs-book-slots");
      if (!slots.length) {
        box.replaceChildren(h("p", { class: "fs-notice", text: "Aucun créneau libre sur ces deux semaines." }));
        return;
      }
      renderSlotDays(box, slots, zone, {
        legend: (day) => `Créneaux du ${day}`,
        more: "Voir plus de jours",
        isChecked: () => false,
        onPick: (slot) => { chosenSlot = slot; },
      });
      say(`${slots.length} créneaux libres.`);
      box.querySelector("input").focus();
    } catch (error) {
      fail("fs-book-error", error);
    }
  });

  $("fs-book-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("fs-book-error").textContent = "";
    const name = $("fs-book-name").value.trim();
    if (!chosenSlot) {
      $("fs-book-error").textContent = "Choisissez d'abord un créneau libre.";
      $("fs-book-search").focus();
      return;
    }
    if (name.length < 2) {
      $("fs-book-error").textContent = "Indiquez le nom de la personne.";
      $("fs-book-name").focus();
      return;
    }
    const person = { name };
    if ($("fs-book-phone").value.trim()) person.phone = $("fs-book-phone").value.trim();
    if ($("fs-book-email").value.trim()) person.email = $("fs-book-email").value.trim();
    const payload = {
      site_id: site,
      demarches: [$("fs-book-demarche").value],
      starts_at: chosenSlot.raw.starts_at,
      person,
      note: $("fs-book-note").value.trim() || null,
    };
    try {
      const made = await api("/v1/agent/bookings", { method: "POST", body: payload, headers: { "Idempotency-Key": bookingKey } });
      bookingKey = newKey();
      chosenSlot = null;
      $("fs-book-form").reset();
      $("fs-book-date").value = localDay(new Date());
      $("fs-book-slots").replaceChildren();
      showConfirmation(made);
      if (made.starts_at.slice(0, 10) === $("fs-date").value) await loadDay();
    } catch (error) {
      fail("fs-book-error", error);
    }
  });

  function showConfirmation(b) {
    renderConfirmation(b).focus();
    say("Rendez-vous confirmé.");
  }

  /** The printable confirmation (documents to bring); its heading, to move the focus there. */
  function renderConfirmation(b) {
    confirmedId = b.id;
    const start = new Date(b.starts_at);
    const heading = h("h3", { tabindex: "-1", text: "Rendez-vous confirmé" });
    const box = h("div", { class: "fs-confirmation" }, heading,
      h("p", { text: `${b.person.name} — ${longDay(start, zone)} à ${timeOf(start, zone)}` }),
      h("p", { text: `${b.place.name}, ${b.place.address}` }),
      b.demarches.map((d) => [h("p", { text: d.label }),
        h("p", { text: "Pièces à apporter :" }), h("ul", {}, d.documents.map((doc) => h("li", { text: doc })))]),
      h("p", { text: `Référence : ${b.id.slice(0, 8).toUpperCase()}` }),
      h("p", { class: "no-print" }, h("button", { type: "button", class: "fs-secondary", text: "Imprimer la confirmation",
        onclick: () => {
          body.classList.add("fs-printing-confirmation");
          window.print();
          body.classList.remove("fs-printing-confirmation");
        } })));
    $("fs-book-done").replaceChildren(box);
    return heading;
  }

  // ---------------------------------------------------------------- walk-ins

  $("fs-walkin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("fs-walkin-error").textContent = "";
    const demarche = $("fs-walkin-demarche").value;
    const payload = {
      partner: $("fs-walkin-partner").value,
      demarches: demarche ? [demarche] : [],
      label: $("fs-walkin-label").value.trim() || null,
      duration_minutes: Number($("fs-walkin-duration").value) || 15,
      outcome: document.querySelector("input[name=outcome]:checked").value,
    };
    try {
      await api(`/v1/agent/sites/${site}/visits`, { method: "POST", body: payload });
      $("fs-walkin-form").reset();
      say("Passage enregistré.");
      $("fs-walkin-error").textContent = "";
      $("fs-walkin-done") && $("fs-walkin-done").remove();
      $("fs-walkin-form").after(h("p", { id: "fs-walkin-done", class: "fs-success", text: "Passage enregistré." }));
      if ($("fs-date").value === localDay(new Date())) await loadDay();
    } catch (error) {
      fail("fs-walkin-error", error);
    }
  });

  // ---------------------------------------------------------------- closures and extra openings

  function renderExceptions(exceptions) {
    const list = $("fs-exception-list");
    if (!exceptions.length) {
      list.replaceChildren(h("li", { text: "Aucune fermeture ni ouverture exceptionnelle à venir." }));
      return;
    }
    list.replaceChildren(...exceptions.map((e) => {
      const hours = e.ranges.length ? e.ranges.map(([a, b]) => `${a}–${b}`).join(", ") : "toute la journée";
      const text = `${e.kind === "closed" ? "Fermeture" : "Ouverture"} le ${e.date.split("-").reverse().join("/")}, ${hours}${e.label ? ` (${e.label})` : ""}`;
      return h("li", {}, text, " ", h("button", { type: "button", class: "fs-secondary", text: "Supprimer",
        "aria-label": `Supprimer : ${text}`, onclick: () => removeException(e.id) }));
    }));
  }

  async function refreshExceptions() {
    const agenda = await api(`/v1/agent/sites/${site}/agenda`);
    renderExceptions(agenda.exceptions || []);
  }

  async function removeException(id) {
    try {
      await api(`/v1/agent/agendas/${agendaId}/exceptions/${id}`, { method: "DELETE" });
      await refreshExceptions();
      say("Exception supprimée.");
      $("fs-exceptions-title").focus();
    } catch (error) {
      fail("fs-exc-error", error);
    }
  }

  $("fs-exception-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("fs-exc-error").textContent = "";
    const date = $("fs-exc-date").value;
    const from = $("fs-exc-from").value;
    const to = $("fs-exc-to").value;
    const kind = $("fs-exc-kind").value;
    if (!date) {
      $("fs-exc-error").textContent = "Indiquez la date.";
      $("fs-exc-date").focus();
      return;
    }
    if ((from || to || kind === "open") && !(from && to && from < to)) {
      $("fs-exc-error").textContent = "Indiquez une heure de début et une heure de fin (le début avant la fin).";
      $("fs-exc-from").focus();
      return;
    }
    pendingException = { date, kind, ranges: from ? [[from, to]] : [], label: $("fs-exc-label").value.trim() || null };
    try {
      let hit = [];
      if (kind === "closed") {
        const bookings = await api(`/v1/agent/sites/${site}/bookings`, { params: { date } });
        hit = bookings.filter((b) => b.place.stop_id === null && !["cancelled", "cancelled_by_site"].includes(b.status)
          && (!from || (hhmm(b.starts_at) < to && hhmm(b.ends_at) > from)));
      }
      const heading = h("h3", { tabindex: "-1", text: kind === "closed"
        ? (hit.length ? `Cette fermeture touche ${hit.length} rendez-vous` : "Cette fermeture ne touche aucun rendez-vous")
        : "Ouverture exceptionnelle" });
      const box = h("div", { class: "fs-notice" }, heading,
        hit.length ? h("ul", { class: "fs-list" }, hit.map((b) => h("li", {
          text: `${hhmm(b.starts_at)} : ${b.person ? b.person.name : "(données effacées)"}${b.person && b.person.phone ? ` — ${b.person.phone}` : ""}`,
        }))) : null,
        hit.length ? h("p", { text: "Ces rendez-vous ne sont pas annulés automatiquement : prévenez ces personnes ou annulez-les depuis la journée." }) : null,
        h("p", {},
          h("button", { type: "button", text: kind === "closed" ? "Confirmer la fermeture" : "Confirmer l'ouverture", onclick: confirmException }), " ",
          h("button", { type: "button", class: "fs-secondary", text: "Annuler", onclick: () => { pendingException = null; $("fs-exc-check").replaceChildren(); $("fs-exc-date").focus(); } })));
      $("fs-exc-check").replaceChildren(box);
      heading.focus();
    } catch (error) {
      fail("fs-exc-error", error);
    }
  });

  async function confirmException() {
    if (!pendingException) return;
    try {
      await api(`/v1/agent/agendas/${agendaId}/exceptions`, { method: "POST", body: pendingException });
      pendingException = null;
      $("fs-exc-check").replaceChildren();
      $("fs-exception-form").reset();
      await refreshExceptions();
      say("Exception enregistrée.");
      $("fs-exceptions-title").focus();
    } catch (error) {
      fail("fs-exc-error", error);
    }
  }

  // ---------------------------------------------------------------- activity figures

  function activityPath(format) {
    const national = auth && auth.role === "national_admin" && $("fs-scope").value === "national";
    const params = new URLSearchParams({ month: $("fs-month").value });
    if (!national) params.set("site_id", site);
    if (format) params.set("format", format);
    return `/v1/agent/activity?${params}`;
  }

  async function loadActivity() {
    $("fs-activity-error").textContent = "";
    if (!/^\d{4}-\d{2}$/.test($("fs-month").value)) {
      $("fs-activity-error").textContent = "Indiquez un mois (AAAA-MM).";
      return;
    }
    const f = await api(activityPath());
    const figures = [
      ["Accompagnements", f.accompaniments],
      ["Rendez-vous honorés", f.bookings_honoured],
      ["Passages sans rendez-vous", f.walk_ins],
      ["dont réorientés", f.walk_ins_redirected],
      ["Absences", f.no_shows],
      ["Absences excusées", f.excused],
      ["Annulations", f.cancellations],
      ["Rendez-vous pris en ligne", f.bookings_online],
      ["Rendez-vous pris par un agent", f.bookings_by_agent],
      ["Délai médian de prise de rendez-vous", f.median_lead_time_hours === null ? "—" : `${String(f.median_lead_time_hours).replace(".", ",")} h`],
    ];
    const max = Math.max(1, ...f.by_partner.map((p) => p.count));
    const chart = h("ul", { class: "fs-chart", "aria-label": "Accompagnements par partenaire" },
      f.by_partner.map((p) => {
        const bar = h("span", { class: "fs-bar", text: String(p.count) });
        bar.style.width = `${Math.round((p.count / max) * 100)}%`;
        return h("li", {}, h("span", { text: p.label }), h("span", {}, bar));
      }));
    $("fs-activity-out").replaceChildren(...present(
      h("dl", { class: "fs-figures" }, figures.map(([k, v]) => [h("dt", { text: k }), h("dd", { text: String(v) })])),
      h("h3", { text: "Accompagnements par partenaire" }),
      f.by_partner.length ? chart : h("p", { text: "Aucun accompagnement ce mois-ci." }),
      f.by_demarche.length ? [h("h3", { text: "Par démarche" }),
        h("ul", { class: "fs-list" }, f.by_demarche.map((d) => h("li", { text: `${d.label} : ${d.count}` })))] : null,
    ));
  }

  $("fs-activity-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadActivity().then(() => say("Chiffres affichés.")).catch((error) => fail("fs-activity-error", error));
  });
  $("fs-activity-csv").addEventListener("click", () => download(activityPath("csv"), "activite.csv")
    .catch((error) => fail("fs-activity-error", error)));

  // ---------------------------------------------------------------- start

  oidcReturn().then((handled) => { if (!handled) showSignin(""); });
})();
