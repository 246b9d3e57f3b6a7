/*
 * France Services — module à intégrer : trouver une France Services ou un bus France Services près de
 * chez soi, puis prendre rendez-vous.
 *
 * Intégration (deux lignes) :
 *   <script src="https://API/widget.js" defer></script>
 *   <france-services-locator api-key="VOTRE_CLE" demarche="CODE" departement="23"></france-services-locator>
 * ou bien, sans élément personnalisé : <div data-france-services-locator data-api-key="VOTRE_CLE"></div>
 *
 * Attributs : api-key, api-base (par défaut : l'origine de ce script), demarche, departement,
 * limit (nombre de lieux, 5 par défaut), map-tiles et map-attribution (carte facultative, désactivée
 * par défaut), heading (titre du module).
 * Plain JavaScript, no build step. Everything renders inside an open Shadow DOM with its own style sheet.
 */
(() => {
  "use strict";

  const TAG = "france-services-locator";
  if (window.customElements.get(TAG)) return;

  const SCRIPT_SRC = document.currentScript && document.currentScript.src;
  const DEFAULT_BASE = SCRIPT_SRC ? new URL(SCRIPT_SRC).origin : window.location.origin;
  const CSS_URL = SCRIPT_SRC ? new URL("widget.css", SCRIPT_SRC).href : "/widget.css";

  const T = {
    title: "Trouver une France Services",
    where: "Code postal ou commune",
    whereHint: "Par exemple : 23000 ou Guéret",
    demarche: "Démarche",
    demarcheAny: "Toutes les démarches",
    search: "Rechercher",
    aroundMe: "Autour de moi",
    searching: "Recherche en cours…",
    locating: "Localisation en cours…",
    needWhere: "Indiquez un code postal ou une commune, ou choisissez « Autour de moi ».",
    noGeo: "Votre navigateur ne permet pas la localisation. Indiquez un code postal ou une commune.",
    geoDenied: "La localisation n'a pas été autorisée. Indiquez plutôt un code postal ou une commune.",
    geoFailed: "Votre position n'a pas pu être déterminée. Indiquez plutôt un code postal ou une commune.",
    near: (label) => `près de ${label}`,
    aroundYou: "autour de vous",
    found: (n, where) =>
      n === 0
        ? `Aucun lieu trouvé ${where}.`
        : `${n} lieu${n > 1 ? "x" : ""} trouvé${n > 1 ? "s" : ""} ${where}.`,
    bus: "Bus France Services",
    itinerant: "Itinérant",
    openNow: "Ouvert",
    closedNow: "Fermé",
    opensAt: (when) => `Ouvre ${when}`,
    today: "Aujourd'hui",
    closedToday: "fermé",
    hoursUnknown: "Horaires non communiqués",
    distance: "Distance",
    travel: (min) => `≈ ${duration(min)} en voiture`,
    within30: "à moins de 30 minutes",
    nextSlot: "Prochain rendez-vous",
    nextSlotLoading: "Prochain rendez-vous : recherche…",
    noSlot: "Pas de rendez-vous en ligne pour le moment",
    slotUnavailable: "Rendez-vous en ligne indisponible",
    phone: "Téléphone",
    book: "Prendre rendez-vous",
    bookAt: (name) => `Prendre rendez-vous à ${name}`,
    stepOf: (n, total) => `Étape ${n} sur ${total}`,
    stepSlot: "Choisir la démarche et le créneau",
    stepContact: "Vos coordonnées",
    stepConfirm: "Vérifier et confirmer",
    done: "Rendez-vous confirmé",
    back: "Retour",
    backToResults: "Retour aux résultats",
    continue: "Continuer",
    chooseDemarche: "Choisissez une démarche",
    chooseSlot: "Choisissez un créneau.",
    loadingSlots: "Recherche des créneaux…",
    noSlots: "Aucun créneau disponible pour cette démarche dans les prochaines semaines. "
      + "Vous pouvez appeler la France Services ou choisir un autre lieu.",
    moreSlots: "Plus de créneaux",
    slotsFor: (day) => `Créneaux du ${day}`,
    lastName: "Nom",
    firstName: "Prénom",
    email: "Adresse e-mail",
    emailHint: "Pour recevoir la confirmation et le lien de gestion du rendez-vous. Format : nom@exemple.fr",
    phoneField: "Téléphone mobile",
    phoneHint: "Pour recevoir un rappel par SMS. Format : 06 12 34 56 78",
    contactHint: "Tous les champs sont obligatoires, sauf mention contraire. "
      + "Indiquez au moins une adresse e-mail ou un téléphone.",
    optional: "(facultatif)",
    consent: "J'accepte que ces informations soient utilisées par France Services pour gérer ce rendez-vous "
      + "et m'envoyer la confirmation et un rappel. Elles ne servent à rien d'autre.",
    errLastName: "Indiquez votre nom.",
    errFirstName: "Indiquez votre prénom.",
    errContact: "Indiquez une adresse e-mail ou un numéro de téléphone.",
    errEmail: "L'adresse e-mail n'est pas valide. Format attendu : nom@exemple.fr",
    errPhone: "Le numéro de téléphone n'est pas valide. Format attendu : 06 12 34 56 78",
    errConsent: "Cochez la case pour accepter l'utilisation de vos coordonnées.",
    errForm: (n) => `Le formulaire contient ${n} erreur${n > 1 ? "s" : ""}.`,
    place: "Lieu",
    address: "Adresse",
    when: "Date et heure",
    who: "Nom",
    contact: "Contact",
    confirm: "Confirmer le rendez-vous",
    confirming: "Confirmation en cours…",
    confirmed: "Votre rendez-vous est confirmé.",
    reference: "Référence",
    confirmationSent: "Une confirmation vous est envoyée avec ce lien.",
    manage: "Gérer mon rendez-vous (modifier ou annuler)",
    bring: "Pensez à apporter vos pièces d'identité et les documents utiles à votre démarche.",
    newSearch: "Nouvelle recherche",
    genericError: "Une erreur est survenue. Réessayez dans quelques instants.",
    networkError: "Le service est injoignable. Vérifiez votre connexion et réessayez.",
    map: "Carte des lieux trouvés (la liste ci-dessous donne les mêmes informations)",
  };

  // ---------------------------------------------------------------- formatting (fr-FR, site time zone)

  const number1 = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });

  function duration(min) {
    if (min < 60) return `${min} min`;
    const h = Math.floor(min / 60);
    const m = min % 60;
    return m ? `${h} h ${String(m).padStart(2, "0")}` : `${h} h`;
  }

  function distance(m) {
    return m < 1000 ? `${Math.round(m / 10) * 10} m` : `${number1.format(m / 1000)} km`;
  }

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

  /** "aujourd'hui à 14 h", "demain à 9 h", "mardi 14 mai à 9 h". */
  function relative(date, zone) {
    const now = new Date();
    const tomorrow = new Date(now.getTime() + 86400000);
    let day = longDay(date, zone);
    if (dayKey(date, zone) === dayKey(now, zone)) day = "aujourd'hui";
    else if (dayKey(date, zone) === dayKey(tomorrow, zone)) day = "demain";
    return `${day} à ${timeOf(date, zone)}`;
  }

  function todayHours(site) {
    if (!site.hours_known) return T.hoursUnknown;
    const weekday = zoned(new Date(), site.timezone, { weekday: "long" });
    const today = (site.opening_hours || []).find((d) => d.day === weekday);
    const ranges = today ? today.ranges : [];
    const text = ranges.length
      ? ranges.map((r) => `${clock(r.opens)} – ${clock(r.closes)}`).join(", ")
      : T.closedToday;
    return `${T.today} : ${text}`;
  }

  // ---------------------------------------------------------------- API shapes (one place to adapt)

  function listOf(body, ...keys) {
    if (Array.isArray(body)) return body;
    for (const key of keys) if (body && Array.isArray(body[key])) return body[key];
    return [];
  }

  function demarcheOf(raw) {
    return { code: String(raw.code ?? raw.id), label: raw.label ?? raw.name ?? raw.title ?? String(raw.code) };
  }

  function slotOf(raw) {
    return { id: raw.id ?? null, start: new Date(raw.start ?? raw.starts_at), raw };
  }

  function placeOf(result) {
    // /v1/sites/nearest gives {site, distance_m, ...}; access points may carry a stop of a mobile site.
    const site = result.site || result.access_point || result;
    return { site, stop: result.stop || null, result };
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

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
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
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  let uid = 0;
  const nextId = (prefix) => `fs-${prefix}-${++uid}`;

  // ---------------------------------------------------------------- the element

  class FranceServicesLocator extends HTMLElement {
    constructor() {
      super();
      this.state = { view: "search", results: [], origin: null, where: "", demarches: null, booking: null };
      this.controller = null;
    }

    get apiBase() {
      return (this.getAttribute("api-base") || DEFAULT_BASE).replace(/\/+$/, "");
    }

    connectedCallback() {
      if (this.shadowRoot) return;
      const root = this.attachShadow({ mode: "open" });
      const titleId = nextId("title");
      root.append(
        h("link", { rel: "stylesheet", href: CSS_URL }),
        h(
          "section",
          { class: "fs-widget", "aria-labelledby": titleId, lang: "fr" },
          h("h2", { class: "fs-title", id: titleId, text: this.getAttribute("heading") || T.title }),
          (this.status = h("p", { class: "fs-visually-hidden", role: "status", "aria-live": "polite" })),
          (this.errorBox = h("div", { class: "fs-error", role: "alert" })),
          (this.main = h("div", { class: "fs-main" })),
        ),
      );
      this.renderSearch();
      this.loadDemarches();
    }

    // ------------------------------------------------------------ HTTP

    async api(path, { method = "GET", params, body, idempotencyKey } = {}) {
      const url = new URL(this.apiBase + path);
      for (const [k, v] of Object.entries(params || {})) {
        if (v !== null && v !== undefined && v !== "") url.searchParams.set(k, v);
      }
      const headers = { Accept: "application/json" };
      const key = this.getAttribute("api-key");
      if (key) headers["X-Api-Key"] = key;
      if (body !== undefined) headers["Content-Type"] = "application/json";
      if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
      let response;
      try {
        response = await fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          mode: "cors",
          credentials: "omit",
        });
      } catch {
        throw new ApiError(T.networkError, 0);
      }
      let payload = null;
      try {
        payload = await response.json();
      } catch {
        payload = null;
      }
      if (!response.ok) {
        const detail = payload && typeof payload.detail === "string" ? payload.detail : T.genericError;
        throw new ApiError(detail, response.status);
      }
      return payload;
    }

    showError(message) {
      this.errorBox.textContent = message || "";
    }

    announce(message) {
      this.status.textContent = message || "";
    }

    // ------------------------------------------------------------ démarches

    async loadDemarches() {
      try {
        const body = await this.api("/v1/demarches");
        this.state.demarches = listOf(body, "items", "results", "demarches").map(demarcheOf);
      } catch {
        this.state.demarches = [];
      }
      if (this.state.view === "search") this.fillDemarcheSelect(this.searchDemarche, true);
    }

    fillDemarcheSelect(select, withAny) {
      if (!select) return;
      const demarches = this.state.demarches || [];
      const wanted = select.value || this.selectedDemarche || this.getAttribute("demarche") || "";
      select.replaceChildren(
        withAny ? h("option", { value: "", text: T.demarcheAny }) : h("option", { value: "", text: T.chooseDemarche }),
        ...demarches.map((d) => h("option", { value: d.code, text: d.label })),
      );
      if (demarches.some((d) => d.code === wanted)) select.value = wanted;
      select.closest(".fs-field").hidden = demarches.length === 0;
    }

    get selectedDemarche() {
      return this._demarche || "";
    }

    set selectedDemarche(code) {
      this._demarche = code || "";
    }

    demarcheLabel(code) {
      const found = (this.state.demarches || []).find((d) => d.code === code);
      return found ? found.label : code;
    }

    // ------------------------------------------------------------ search view

    renderSearch() {
      this.state.view = "search";
      const whereId = nextId("where");
      const hintId = nextId("hint");
      const demarcheId = nextId("demarche");
      this.searchInput = h("input", {
        id: whereId,
        type: "search",
        name: "q",
        autocomplete: "postal-code",
        inputmode: "text",
        "aria-describedby": hintId,
        value: this.state.query || "",
      });
      this.searchDemarche = h("select", { id: demarcheId, name: "demarche" });
      const form = h(
        "form",
        { role: "search", "aria-label": T.title, novalidate: true, onsubmit: (e) => this.onSearch(e) },
        h(
          "div",
          { class: "fs-search-row" },
          h(
            "div",
            { class: "fs-field" },
            h("label", { for: whereId, text: T.where }),
            h("span", { class: "fs-hint", id: hintId, text: T.whereHint }),
            this.searchInput,
          ),
          h("div", { class: "fs-field", hidden: true }, h("label", { for: demarcheId, text: T.demarche }), this.searchDemarche),
        ),
        h(
          "div",
          { class: "fs-actions" },
          h("button", { type: "submit", text: T.search }),
          h("button", { type: "button", class: "fs-secondary", text: T.aroundMe, onclick: () => this.onAroundMe() }),
        ),
      );
      this.searchDemarche.addEventListener("change", () => {
        this.selectedDemarche = this.searchDemarche.value;
        if (this.state.results.length) this.renderResults();
      });
      this.resultsBox = h("div", { class: "fs-results-box" });
      this.main.replaceChildren(form, this.resultsBox);
      this.fillDemarcheSelect(this.searchDemarche, true);
      if (this.state.results.length) this.renderResults();
    }

    async onSearch(event) {
      event.preventDefault();
      const q = this.searchInput.value.trim();
      if (q.length < 2) {
        this.showError(T.needWhere);
        this.searchInput.focus();
        return;
      }
      await this.search({ q });
    }

    onAroundMe() {
      if (!navigator.geolocation) {
        this.showError(T.noGeo);
        return;
      }
      this.showError("");
      this.announce(T.locating);
      navigator.geolocation.getCurrentPosition(
        (position) => {
          const { latitude, longitude } = position.coords;
          this.search({ lat: latitude.toFixed(5), lon: longitude.toFixed(5) });
        },
        (error) => {
          this.announce("");
          this.showError(error.code === error.PERMISSION_DENIED ? T.geoDenied : T.geoFailed);
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 },
      );
    }

    async search(params) {
      this.showError("");
      this.announce(T.searching);
      this.resultsBox.replaceChildren(h("p", { class: "fs-muted", text: T.searching }));
      const departement = this.getAttribute("departement");
      const wanted = Number(this.getAttribute("limit")) || 5;
      const query = { ...params, limit: departement ? Math.max(wanted * 4, 20) : wanted };
      let body;
      try {
        body = await this.nearest(query);
      } catch (error) {
        this.announce("");
        this.resultsBox.replaceChildren();
        this.showError(error.message);
        return;
      }
      let results = listOf(body, "results").map(placeOf);
      if (departement) results = results.filter((p) => !p.site.address || p.site.address.departement === departement);
      this.state.results = results.slice(0, wanted);
      this.state.origin = body.origin || null;
      const label = body.origin && body.origin.label;
      this.state.where = label ? T.near(label) : params.q ? T.near(params.q) : T.aroundYou;
      this.state.query = params.q || "";
      this.state.slotCache = new Map();
      this.renderResults();
      this.announce(T.found(this.state.results.length, this.state.where));
    }

    /** Mobile stops too when the locator offers them; otherwise the sites alone. */
    async nearest(query) {
      if (this.accessPoints !== false) {
        try {
          const body = await this.api("/v1/access-points/nearest", { params: query });
          this.accessPoints = true;
          return body;
        } catch (error) {
          if (error.status !== 404) throw error;
          this.accessPoints = false;
        }
      }
      return this.api("/v1/sites/nearest", { params: query });
    }

    renderResults() {
      const headingId = nextId("results");
      const list = h("ol", { class: "fs-results", "aria-labelledby": headingId });
      const items = this.state.results.map((place, index) => this.renderCard(place, index));
      list.append(...items);
      const map = this.renderMap();
      this.resultsBox.replaceChildren(
        ...[h("h3", { id: headingId, class: "fs-results-title", text: this.resultsHeading() }), map, list].filter(Boolean),
      );
    }

    resultsHeading() {
      return T.found(this.state.results.length, this.state.where);
    }

    renderCard(place, index) {
      const { site, stop, result } = place;
      const nameId = nextId("site");
      const kind = site.is_mobile ? (site.kind === "bus" ? T.bus : T.itinerant) : null;
      const facts = h(
        "ul",
        { class: "fs-facts" },
        h("li", {}, h("span", { class: "fs-visually-hidden", text: `${T.distance} : ` }), distance(result.distance_m)),
        result.travel_time_min !== undefined
          ? h("li", {}, T.travel(result.travel_time_min), result.within_30_min ? h("span", { class: "fs-visually-hidden", text: `, ${T.within30}` }) : null)
          : null,
      );
      let openLine = null;
      if (site.open_now === true) openLine = h("span", { class: "fs-badge fs-open", text: T.openNow });
      else if (site.open_now === false) openLine = h("span", { class: "fs-badge fs-closed", text: T.closedNow });
      const nextOpening = site.open_now === false && site.next_opening
        ? ` · ${T.opensAt(relative(new Date(site.next_opening.start), site.timezone))}`
        : "";
      const address = site.address
        ? [site.address.street, site.address.complement, `${site.address.postcode} ${site.address.commune}`]
          .filter(Boolean)
          .join(", ")
        : "";
      const slotLine = h("p", { class: "fs-muted" });
      const bookButton = h("button", {
        type: "button",
        class: "fs-secondary",
        "aria-describedby": nameId,
        text: T.book,
        onclick: () => this.startBooking(place),
      });
      bookButton.hidden = true;
      this.fillNextSlot(site, slotLine, bookButton);
      return h(
        "li",
        { class: "fs-card" },
        h(
          "div",
          { class: "fs-card-head" },
          h("h4", { id: nameId, class: "fs-name" }, `${index + 1}. ${site.name}`),
          kind ? h("span", { class: "fs-badge fs-kind", text: kind }) : null,
        ),
        stop ? h("p", {}, stop.name || "") : null,
        address ? h("p", { class: "fs-muted" }, address) : null,
        facts,
        h("p", {}, openLine, openLine ? " " : null, todayHours(site), nextOpening),
        slotLine,
        site.phone ? h("p", {}, `${T.phone} : `, h("a", { href: `tel:${site.phone.replace(/\s+/g, "")}` }, site.phone)) : null,
        bookButton,
      );
    }

    async fillNextSlot(site, line, button) {
      const demarche = this.selectedDemarche || this.getAttribute("demarche") || "";
      const cacheKey = `${site.id}|${demarche}`;
      line.textContent = T.nextSlotLoading;
      let slot;
      try {
        if (!this.state.slotCache.has(cacheKey)) {
          this.state.slotCache.set(cacheKey, this.api(`/v1/sites/${site.id}/slots`, { params: { demarche, limit: 1 } }));
        }
        const body = await this.state.slotCache.get(cacheKey);
        slot = listOf(body, "slots", "items", "results").map(slotOf)[0];
      } catch {
        line.textContent = T.slotUnavailable;
        return;
      }
      if (!slot) {
        line.textContent = T.noSlot;
        return;
      }
      line.className = "fs-slot";
      line.textContent = `${T.nextSlot} : ${relative(slot.start, site.timezone)}`;
      button.hidden = false;
    }

    // ------------------------------------------------------------ optional map (off unless map-tiles is set)

    renderMap() {
      const template = this.getAttribute("map-tiles");
      const points = this.state.results.map((p) => p.stop && p.stop.location ? p.stop.location : p.site.location).filter(Boolean);
      if (!template || !points.length) return null;
      const origin = this.state.origin;
      const all = origin ? [...points, origin] : points;
      const width = Math.max(this.main.clientWidth, 280);
      const height = 240;
      const project = (lat, lon, z) => {
        const scale = 256 * 2 ** z;
        const s = Math.sin((lat * Math.PI) / 180);
        return { x: ((lon + 180) / 360) * scale, y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale };
      };
      let zoom = 15;
      for (; zoom > 3; zoom -= 1) {
        const xy = all.map((p) => project(p.lat, p.lon, zoom));
        const dx = Math.max(...xy.map((p) => p.x)) - Math.min(...xy.map((p) => p.x));
        const dy = Math.max(...xy.map((p) => p.y)) - Math.min(...xy.map((p) => p.y));
        if (dx < width - 48 && dy < height - 48) break;
      }
      const xy = all.map((p) => project(p.lat, p.lon, zoom));
      const cx = (Math.max(...xy.map((p) => p.x)) + Math.min(...xy.map((p) => p.x))) / 2;
      const cy = (Math.max(...xy.map((p) => p.y)) + Math.min(...xy.map((p) => p.y))) / 2;
      const left = cx - width / 2;
      const top = cy - height / 2;
      const map = h("div", { class: "fs-map", role: "img", "aria-label": T.map });
      const max = 2 ** zoom;
      for (let tx = Math.floor(left / 256); tx <= Math.floor((left + width) / 256); tx += 1) {
        for (let ty = Math.floor(top / 256); ty <= Math.floor((top + height) / 256); ty += 1) {
          if (ty < 0 || ty >= max) continue;
          const src = template.replace("{z}", zoom).replace("{x}", ((tx % max) + max) % max).replace("{y}", ty);
          const tile = h("img", { class: "fs-tile", src, alt: "", loading: "lazy" });
          tile.style.left = `${tx * 256 - left}px`;
          tile.style.top = `${ty * 256 - top}px`;
          map.append(tile);
        }
      }
      const marker = (p, label, extra) => {
        const at = project(p.lat, p.lon, zoom);
        const el = h("span", { class: `fs-marker ${extra}`, "aria-hidden": "true", text: label });
        el.style.left = `${at.x - left}px`;
        el.style.top = `${at.y - top}px`;
        map.append(el);
      };
      if (origin) marker(origin, "•", "fs-origin");
      points.forEach((p, i) => marker(p, String(i + 1), ""));
      const attribution = this.getAttribute("map-attribution");
      if (attribution) map.append(h("span", { class: "fs-map-attribution", text: attribution }));
      return map;
    }

    // ------------------------------------------------------------ booking steps

    startBooking(place) {
      this.showError("");
      this.announce("");
      this.state.booking = {
        place,
        demarche: this.selectedDemarche || this.getAttribute("demarche") || "",
        slot: null,
        contact: { last_name: "", first_name: "", email: "", phone: "", consent: false },
        idempotencyKey: newKey(),
      };
      this.renderSlotStep();
    }

    stepFrame(number, title, ...content) {
      this.state.view = `step${number}`;
      const headingId = nextId("step");
      const heading = h("h3", { id: headingId, tabindex: "-1" }, title);
      const site = this.state.booking.place.site;
      const back = h("button", {
        type: "button",
        class: "fs-link",
        text: number === 1 ? T.backToResults : T.back,
        onclick: () => {
          this.showError("");
          if (number === 1) {
            this.renderSearch();
            this.focusResultsOf(site);
          } else if (number === 2) this.renderSlotStep();
          else this.renderContactStep();
        },
      });
      const section = h(
        "div",
        { class: "fs-step", role: "group", "aria-labelledby": headingId },
        back,
        h("p", { class: "fs-steps", text: T.stepOf(number, 3) }),
        heading,
        h("p", { class: "fs-muted" }, site.name),
        ...content,
      );
      this.main.replaceChildren(section);
      heading.focus();
    }

    focusResultsOf(site) {
      const buttons = this.resultsBox.querySelectorAll("button");
      const cards = [...this.resultsBox.querySelectorAll(".fs-card")];
      const index = this.state.results.findIndex((p) => p.site.id === site.id);
      const target = (cards[index] && cards[index].querySelector("button")) || buttons[0] || this.searchInput;
      target.focus();
    }

    renderSlotStep() {
      const booking = this.state.booking;
      const site = booking.place.site;
      const selectId = nextId("demarche");
      const select = h("select", { id: selectId, name: "demarche", required: true });
      const slotsBox = h("div", { class: "fs-slots", "aria-live": "polite" });
      const form = h(
        "form",
        { novalidate: true, onsubmit: (e) => this.onSlotChosen(e, select) },
        h("div", { class: "fs-field" }, h("label", { for: selectId, text: T.demarche }), select),
        slotsBox,
        h("div", { class: "fs-actions" }, h("button", { type: "submit", text: T.continue })),
      );
      this.stepFrame(1, T.stepSlot, form);
      this.fillDemarcheSelect(select, false);
      if (booking.demarche) select.value = booking.demarche;
      const load = () => {
        booking.demarche = select.value;
        booking.slot = booking.slot && booking.slot.demarche === select.value ? booking.slot : null;
        this.loadSlots(site, select.value, slotsBox);
      };
      select.addEventListener("change", load);
      load();
    }

    async loadSlots(site, demarche, box) {
      box.replaceChildren(h("p", { class: "fs-muted", text: T.loadingSlots }));
      let slots;
      try {
        const body = await this.api(`/v1/sites/${site.id}/slots`, { params: { demarche, limit: 60 } });
        slots = listOf(body, "slots", "items", "results").map(slotOf);
      } catch (error) {
        box.replaceChildren();
        this.showError(error.message);
        return;
      }
      if (!slots.length) {
        box.replaceChildren(h("p", { text: T.noSlots }));
        return;
      }
      const days = new Map();
      for (const slot of slots) {
        const key = dayKey(slot.start, site.timezone);
        if (!days.has(key)) days.set(key, []);
        days.get(key).push(slot);
      }
      const groups = [...days.values()];
      const shown = 3;
      const render = (count) => {
        const fieldsets = groups.slice(0, count).map((daySlots) => {
          const legend = longDay(daySlots[0].start, site.timezone);
          return h(
            "fieldset",
            { class: "fs-slot-day" },
            h("legend", { text: T.slotsFor(legend) }),
            h(
              "div",
              { class: "fs-slot-list" },
              daySlots.map((slot) => {
                const id = nextId("slot");
                const input = h("input", {
                  type: "radio",
                  name: "slot",
                  id,
                  value: slot.start.toISOString(),
                  checked: this.state.booking.slot && this.state.booking.slot.start.getTime() === slot.start.getTime(),
                });
                input.addEventListener("change", () => {
                  this.state.booking.slot = { ...slot, demarche };
                });
                return h("span", { class: "fs-slot-choice" }, input, h("label", { for: id, text: timeOf(slot.start, site.timezone) }));
              }),
            ),
          );
        });
        const more = count < groups.length
          ? h("button", {
            type: "button",
            class: "fs-secondary",
            text: T.moreSlots,
            onclick: () => {
              render(count + shown);
              const legends = box.querySelectorAll("fieldset input");
              const first = box.querySelectorAll("fieldset")[count];
              (first ? first.querySelector("input") : legends[0]).focus();
            },
          })
          : null;
        box.replaceChildren(...fieldsets, ...(more ? [more] : []));
      };
      render(shown);
    }

    onSlotChosen(event, select) {
      event.preventDefault();
      if (!select.value) {
        this.showError(T.chooseDemarche + ".");
        select.focus();
        return;
      }
      if (!this.state.booking.slot) {
        this.showError(T.chooseSlot);
        const first = this.main.querySelector('input[name="slot"]');
        if (first) first.focus();
        return;
      }
      this.showError("");
      this.renderContactStep();
    }

    renderContactStep() {
      const c = this.state.booking.contact;
      const field = (name, label, type, autocomplete, hint, optional) => {
        const id = nextId(name);
        const hintId = hint ? `${id}-hint` : null;
        const errorId = `${id}-error`;
        const input = h("input", {
          id,
          name,
          type,
          autocomplete,
          value: c[name],
          "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
          required: !optional,
        });
        return h(
          "div",
          { class: "fs-field" },
          h("label", { for: id }, label, optional ? ` ${T.optional}` : ""),
          hint ? h("span", { class: "fs-hint", id: hintId, text: hint }) : null,
          h("p", { class: "fs-field-error", id: errorId }),
          input,
        );
      };
      const consentId = nextId("consent");
      const form = h(
        "form",
        { novalidate: true, onsubmit: (e) => this.onContact(e) },
        h("p", { class: "fs-hint", text: T.contactHint }),
        field("last_name", T.lastName, "text", "family-name"),
        field("first_name", T.firstName, "text", "given-name"),
        field("email", T.email, "email", "email", T.emailHint, true),
        field("phone", T.phoneField, "tel", "tel", T.phoneHint, true),
        h("p", { class: "fs-field-error", id: `${consentId}-error` }),
        h(
          "div",
          { class: "fs-check" },
          h("input", { type: "checkbox", id: consentId, name: "consent", required: true, checked: c.consent, "aria-describedby": `${consentId}-error` }),
          h("label", { for: consentId, text: T.consent }),
        ),
        h("div", { class: "fs-actions" }, h("button", { type: "submit", text: T.continue })),
      );
      this.stepFrame(2, T.stepContact, form);
    }

    onContact(event) {
      event.preventDefault();
      const form = event.target;
      const value = (name) => form.elements[name].value.trim();
      const contact = {
        last_name: value("last_name"),
        first_name: value("first_name"),
        email: value("email"),
        phone: value("phone"),
        consent: form.elements.consent.checked,
      };
      this.state.booking.contact = contact;
      const errors = [];
      if (!contact.last_name) errors.push(["last_name", T.errLastName]);
      if (!contact.first_name) errors.push(["first_name", T.errFirstName]);
      if (!contact.email && !contact.phone) errors.push(["email", T.errContact]);
      if (contact.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contact.email)) errors.push(["email", T.errEmail]);
      if (contact.phone && !/^(\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}$/.test(contact.phone)) errors.push(["phone", T.errPhone]);
      if (!contact.consent) errors.push(["consent", T.errConsent]);
      for (const input of form.querySelectorAll("input")) {
        input.removeAttribute("aria-invalid");
        const box = this.main.querySelector(`#${input.id}-error`);
        if (box) box.textContent = "";
      }
      for (const [name, message] of errors) {
        const input = form.elements[name];
        input.setAttribute("aria-invalid", "true");
        this.main.querySelector(`#${input.id}-error`).textContent = message;
      }
      if (errors.length) {
        this.showError(T.errForm(errors.length));
        form.elements[errors[0][0]].focus();
        return;
      }
      this.showError("");
      this.renderConfirmStep();
    }

    recap() {
      const { place, demarche, slot, contact } = this.state.booking;
      const site = place.site;
      const rows = [
        [T.place, site.name],
        [T.address, site.address ? `${site.address.street}, ${site.address.postcode} ${site.address.commune}` : ""],
        [T.demarche, this.demarcheLabel(demarche)],
        [T.when, `${longDay(slot.start, site.timezone)} à ${timeOf(slot.start, site.timezone)}`],
        [T.who, `${contact.first_name} ${contact.last_name}`],
        [T.contact, [contact.email, contact.phone].filter(Boolean).join(" · ")],
      ];
      return h("dl", { class: "fs-recap" }, rows.filter((r) => r[1]).map(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })]));
    }

    renderConfirmStep() {
      const button = h("button", { type: "submit", text: T.confirm });
      const form = h(
        "form",
        { novalidate: true, onsubmit: (e) => this.onConfirm(e, button) },
        this.recap(),
        h("div", { class: "fs-actions" }, button),
      );
      this.stepFrame(3, T.stepConfirm, form);
    }

    async onConfirm(event, button) {
      event.preventDefault();
      const { place, demarche, slot, contact, idempotencyKey } = this.state.booking;
      button.disabled = true;
      button.textContent = T.confirming;
      this.announce(T.confirming);
      this.showError("");
      const payload = {
        site_id: place.site.id,
        demarche,
        slot_id: slot.id ?? undefined,
        start: slot.raw.start ?? slot.start.toISOString(),
        citizen: {
          last_name: contact.last_name,
          first_name: contact.first_name,
          email: contact.email || null,
          phone: contact.phone || null,
        },
        consent: contact.consent,
      };
      let booking;
      try {
        booking = await this.api("/v1/bookings", { method: "POST", body: payload, idempotencyKey });
      } catch (error) {
        button.disabled = false;
        button.textContent = T.confirm;
        this.announce("");
        this.showError(error.message);
        if (error.status === 409) {
          this.state.booking.slot = null;
          this.state.booking.idempotencyKey = newKey();
        }
        return;
      }
      this.announce("");
      this.renderDone(booking);
    }

    renderDone(booking) {
      this.state.view = "done";
      const headingId = nextId("done");
      const heading = h("h3", { id: headingId, tabindex: "-1", text: T.done });
      const manage = safeUrl(booking.manage_url || booking.manage_link || "");
      const reference = booking.reference || booking.code || booking.id;
      const section = h(
        "div",
        { class: "fs-step fs-done", role: "group", "aria-labelledby": headingId },
        heading,
        h(
          "div",
          { class: "fs-success-box" },
          h("p", { text: T.confirmed }),
          reference ? h("p", {}, `${T.reference} : `, h("strong", { text: String(reference) })) : null,
        ),
        this.recap(),
        manage ? h("p", {}, h("a", { href: manage, target: "_blank", rel: "noopener", text: T.manage })) : null,
        manage ? h("p", { class: "fs-muted", text: T.confirmationSent }) : null,
        h("p", { class: "fs-muted", text: T.bring }),
        h("div", { class: "fs-actions" }, h("button", {
          type: "button",
          class: "fs-secondary",
          text: T.newSearch,
          onclick: () => {
            this.state.booking = null;
            this.state.results = [];
            this.renderSearch();
            this.searchInput.focus();
          },
        })),
      );
      this.main.replaceChildren(section);
      heading.focus();
    }
  }

  window.customElements.define(TAG, FranceServicesLocator);

  // <div data-france-services-locator data-api-key="…" data-demarche="…"> works too.
  function upgradeDivs() {
    for (const host of document.querySelectorAll("[data-france-services-locator]")) {
      if (host.querySelector(TAG)) continue;
      const el = document.createElement(TAG);
      for (const [key, value] of Object.entries(host.dataset)) {
        if (key === "franceServicesLocator") continue;
        el.setAttribute(key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), value);
      }
      host.append(el);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", upgradeDivs);
  else upgradeDivs();
})();
