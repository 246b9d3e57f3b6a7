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
 * limit (nombre de lieux, 5 par défaut), heading (titre du module), map-tiles et map-attribution
 * (carte facultative, désactivée par défaut).
 * Plain JavaScript, no build step. Everything renders inside an open Shadow DOM with its own style sheet.
 */
(() => {
  "use strict";

  const TAG = "france-services-locator";
  if (window.customElements.get(TAG)) return;

  // Shared with the booking page (kit.js, served in front of this file).
  const {
    clock, dayKey, h, longDay, newKey, nextId, present, renderSlotDays, request, slotsOf, timeOf, zoned,
  } = window.FranceServicesKit;

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
    pickDemarche: "Choisissez une démarche pour voir le prochain rendez-vous libre de chaque lieu.",
    bus: "Bus France Services",
    itinerant: "France Services itinérante",
    stop: "Arrêt",
    nextVisit: "Prochain passage",
    noVisit: "Pas de passage prévu dans les prochaines semaines",
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
    noOnlineBooking: "Pas de prise de rendez-vous en ligne ici",
    phone: "Téléphone",
    book: "Prendre rendez-vous",
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
    slotsFound: (n) => `${n} créneau${n > 1 ? "x" : ""} disponible${n > 1 ? "s" : ""}.`,
    name: "Prénom et nom",
    email: "Adresse e-mail",
    emailHint: "Pour recevoir la confirmation et le lien de gestion du rendez-vous. Format : nom@exemple.fr",
    phoneField: "Téléphone mobile",
    phoneHint: "Pour recevoir un rappel par SMS. Format : 06 12 34 56 78",
    contactHint: "Tous les champs sont obligatoires, sauf mention contraire. "
      + "Indiquez au moins une adresse e-mail ou un téléphone.",
    optional: "(facultatif)",
    consent: "J'accepte que ces informations soient utilisées par France Services pour gérer ce rendez-vous "
      + "et m'envoyer la confirmation et un rappel. Elles ne servent à rien d'autre.",
    errName: "Indiquez votre prénom et votre nom.",
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
    documents: "Documents à apporter",
    manage: "Gérer mon rendez-vous (modifier ou annuler)",
    manageHint: "Gardez ce lien : il vous est aussi envoyé avec la confirmation.",
    newSearch: "Nouvelle recherche",
    map: "Carte des lieux trouvés (la liste donne les mêmes informations)",
  };

  // ---------------------------------------------------------------- formatting (fr-FR, place's time zone)

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

  /** "aujourd'hui", "demain" or "mardi 14 mai". */
  function relativeDay(date, zone) {
    const now = new Date();
    if (dayKey(date, zone) === dayKey(now, zone)) return "aujourd'hui";
    if (dayKey(date, zone) === dayKey(new Date(now.getTime() + 86400000), zone)) return "demain";
    return longDay(date, zone);
  }

  function relative(date, zone) {
    return `${relativeDay(date, zone)} à ${timeOf(date, zone)}`;
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

  // ---------------------------------------------------------------- API shapes, in one place

  /** A place where one can be received: a France Services site, or a stop of a bus France Services. */
  function placeOf(result) {
    if (result.type === "stop" && result.stop) {
      const stop = result.stop;
      return {
        key: `stop-${stop.id}`,
        name: stop.site.name,
        stopName: stop.name,
        mobileKind: stop.site.kind,
        address: [stop.address, stop.commune].filter(Boolean).join(", "),
        departement: stop.insee_code ? stop.insee_code.slice(0, stop.insee_code.startsWith("97") ? 3 : 2) : null,
        timezone: stop.timezone,
        location: stop.location,
        phone: stop.site.phone,
        visit: (stop.next_visits || [])[0] || null,
        site: null,
        slotsPath: `/v1/stops/${stop.id}/slots`,
        target: { stop_id: stop.id },
        result,
      };
    }
    const site = result.site;
    const a = site.address;
    return {
      key: `site-${site.id}`,
      name: site.name,
      stopName: null,
      mobileKind: site.is_mobile ? site.kind : null,
      address: a ? [a.street, a.complement, `${a.postcode} ${a.commune}`].filter(Boolean).join(", ") : "",
      departement: a ? a.departement : null,
      timezone: site.timezone,
      location: site.location,
      phone: site.phone,
      visit: null,
      site,
      slotsPath: `/v1/sites/${site.id}/slots`,
      target: { site_id: site.id },
      result,
    };
  }

  // ---------------------------------------------------------------- the element

  class FranceServicesLocator extends HTMLElement {
    constructor() {
      super();
      this.state = { results: [], origin: null, where: "", query: "", demarches: [], booking: null };
      this.demarche = "";
      this.slotCache = new Map();
    }

    get apiBase() {
      return (this.getAttribute("api-base") || DEFAULT_BASE).replace(/\/+$/, "");
    }

    connectedCallback() {
      if (this.shadowRoot) return;
      this.demarche = this.getAttribute("demarche") || "";
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

    api(path, { method = "GET", params, body, idempotencyKey } = {}) {
      const headers = {};
      const key = this.getAttribute("api-key");
      if (key) headers["X-Api-Key"] = key;
      if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
      return request(this.apiBase + path, { method, params, body, headers });
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
        this.state.demarches = (Array.isArray(body) ? body : []).filter((d) => d.active !== false);
      } catch {
        this.state.demarches = [];
      }
      if (this.searchDemarche) this.fillDemarcheSelect(this.searchDemarche, T.demarcheAny);
      if (this.state.results.length) this.renderResults();
    }

    fillDemarcheSelect(select, emptyLabel) {
      const demarches = this.state.demarches;
      select.replaceChildren(
        h("option", { value: "", text: emptyLabel }),
        ...demarches.map((d) => h("option", { value: d.code, text: d.label })),
      );
      select.value = demarches.some((d) => d.code === this.demarche) ? this.demarche : "";
      select.closest(".fs-field").hidden = demarches.length === 0;
    }

    demarcheOf(code) {
      return this.state.demarches.find((d) => d.code === code) || { code, label: code, documents: [] };
    }

    // ------------------------------------------------------------ search view

    renderSearch() {
      const whereId = nextId("where");
      const hintId = nextId("hint");
      const demarcheId = nextId("demarche");
      this.searchInput = h("input", {
        id: whereId,
        type: "search",
        name: "q",
        autocomplete: "postal-code",
        "aria-describedby": hintId,
        value: this.state.query,
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
          h("div", { class: "fs-field" }, h("label", { for: demarcheId, text: T.demarche }), this.searchDemarche),
        ),
        h(
          "div",
          { class: "fs-actions" },
          h("button", { type: "submit", text: T.search }),
          h("button", { type: "button", class: "fs-secondary", text: T.aroundMe, onclick: () => this.onAroundMe() }),
        ),
      );
      this.searchDemarche.addEventListener("change", () => {
        this.demarche = this.searchDemarche.value;
        if (this.state.results.length) this.renderResults();
      });
      this.resultsBox = h("div", { class: "fs-results-box" });
      this.main.replaceChildren(form, this.resultsBox);
      this.fillDemarcheSelect(this.searchDemarche, T.demarcheAny);
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
      let places = (body.results || []).map(placeOf);
      if (departement) places = places.filter((p) => p.departement === departement);
      this.state.results = places.slice(0, wanted);
      this.state.origin = body.origin || null;
      const label = body.origin && body.origin.label;
      this.state.where = label ? T.near(label) : params.q ? T.near(params.q) : T.aroundYou;
      this.state.query = params.q || "";
      this.slotCache = new Map();
      this.renderResults();
      this.announce(T.found(this.state.results.length, this.state.where));
    }

    /** Sites and upcoming bus stops where the locator offers them (access points); the sites otherwise. */
    async nearest(query) {
      if (this.accessPoints !== false) {
        try {
          const body = await this.api("/v1/access-points/nearest", { params: query });
          this.accessPoints = true;
          return body;
        } catch (error) {
          if (error.status !== 404 || this.accessPoints === true) throw error;
          this.accessPoints = false;
        }
      }
      return this.api("/v1/sites/nearest", { params: query });
    }

    renderResults() {
      const headingId = nextId("results");
      const list = h("ol", { class: "fs-results", "aria-labelledby": headingId });
      list.append(...this.state.results.map((place, index) => this.renderCard(place, index)));
      const hint = !this.demarche && this.state.demarches.length && this.state.results.length
        ? h("p", { class: "fs-muted", text: T.pickDemarche })
        : null;
      this.resultsBox.replaceChildren(
        ...present(
          h("h3", { id: headingId, class: "fs-results-title", text: T.found(this.state.results.length, this.state.where) }),
          hint,
          this.renderMap(),
          list,
        ),
      );
    }

    renderCard(place, index) {
      const { site, result } = place;
      const nameId = nextId("place");
      const kind = place.mobileKind ? (place.mobileKind === "bus" ? T.bus : T.itinerant) : null;
      const facts = h(
        "ul",
        { class: "fs-facts" },
        h("li", {}, h("span", { class: "fs-visually-hidden", text: `${T.distance} : ` }), distance(result.distance_m)),
        h(
          "li",
          {},
          T.travel(result.travel_time_min),
          result.within_30_min ? h("span", { class: "fs-visually-hidden", text: `, ${T.within30}` }) : null,
        ),
      );
      let when;
      if (site) {
        const badge = site.open_now === true
          ? h("span", { class: "fs-badge fs-open", text: T.openNow })
          : site.open_now === false ? h("span", { class: "fs-badge fs-closed", text: T.closedNow }) : null;
        const next = site.open_now === false && site.next_opening
          ? ` · ${T.opensAt(relative(new Date(site.next_opening.start), site.timezone))}`
          : "";
        when = h("p", {}, badge, badge ? " " : null, todayHours(site), next);
      } else if (place.visit) {
        const v = place.visit;
        const day = relativeDay(new Date(`${v.date}T12:00:00Z`), "UTC");
        const hours = v.start && v.end
          ? `, ${timeOf(new Date(v.start), place.timezone)} – ${timeOf(new Date(v.end), place.timezone)}`
          : "";
        when = h("p", {}, `${T.nextVisit} : ${day}${hours}`);
      } else {
        when = h("p", { class: "fs-muted", text: T.noVisit });
      }
      const slotLine = h("p", { class: "fs-muted" });
      const bookButton = h("button", {
        type: "button",
        class: "fs-secondary",
        "aria-describedby": nameId,
        text: T.book,
        onclick: () => this.startBooking(place),
      });
      this.fillNextSlot(place, slotLine, bookButton);
      return h(
        "li",
        { class: "fs-card" },
        h(
          "div",
          { class: "fs-card-head" },
          h("h4", { id: nameId, class: "fs-name" }, `${index + 1}. ${place.name}`),
          kind ? h("span", { class: "fs-badge fs-kind", text: kind }) : null,
        ),
        place.stopName ? h("p", {}, `${T.stop} : ${place.stopName}`) : null,
        place.address ? h("p", { class: "fs-muted" }, place.address) : null,
        facts,
        when,
        slotLine,
        place.phone
          ? h("p", {}, `${T.phone} : `, h("a", { href: `tel:${place.phone.replace(/[^\d+]/g, "")}` }, place.phone))
          : null,
        bookButton,
      );
    }

    slots(place, demarche) {
      const key = `${place.key}|${demarche}`;
      if (!this.slotCache.has(key)) {
        const request = this.api(place.slotsPath, { params: { demarche } });
        request.catch(() => this.slotCache.delete(key));
        this.slotCache.set(key, request);
      }
      return this.slotCache.get(key);
    }

    /** The next free slot for the chosen démarche; without one, booking starts by choosing it. */
    async fillNextSlot(place, line, button) {
      if (!this.demarche) {
        line.hidden = true;
        button.hidden = !place.site; // a stop has no agenda unless its site opened one
        return;
      }
      line.textContent = T.nextSlotLoading;
      let slot;
      try {
        slot = slotsOf(await this.slots(place, this.demarche))[0];
      } catch {
        line.textContent = T.noOnlineBooking;
        button.hidden = true;
        return;
      }
      button.hidden = !slot;
      if (!slot) {
        line.textContent = T.noSlot;
        return;
      }
      line.className = "fs-slot";
      line.textContent = `${T.nextSlot} : ${relative(slot.start, place.timezone)}`;
    }

    // ------------------------------------------------------------ optional map (only when map-tiles is set)

    renderMap() {
      const template = this.getAttribute("map-tiles");
      const points = this.state.results.map((p) => p.location).filter(Boolean);
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
      const extent = (z) => {
        const xy = all.map((p) => project(p.lat, p.lon, z));
        const xs = xy.map((p) => p.x);
        const ys = xy.map((p) => p.y);
        return { x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
      };
      let zoom = 15;
      while (zoom > 3) {
        const e = extent(zoom);
        if (e.x1 - e.x0 < width - 48 && e.y1 - e.y0 < height - 48) break;
        zoom -= 1;
      }
      const e = extent(zoom);
      const left = (e.x0 + e.x1) / 2 - width / 2;
      const top = (e.y0 + e.y1) / 2 - height / 2;
      const map = h("div", { class: "fs-map", role: "img", "aria-label": T.map });
      const max = 2 ** zoom;
      for (let tx = Math.floor(left / 256); tx <= Math.floor((left + width) / 256); tx += 1) {
        for (let ty = Math.max(0, Math.floor(top / 256)); ty <= Math.min(max - 1, Math.floor((top + height) / 256)); ty += 1) {
          const src = template
            .replace("{z}", zoom)
            .replace("{x}", ((tx % max) + max) % max)
            .replace("{y}", ty);
          const tile = h("img", { class: "fs-tile", src, alt: "" });
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

    // ------------------------------------------------------------ booking: 1 slot, 2 contact, 3 confirm

    startBooking(place) {
      this.showError("");
      this.announce("");
      this.state.booking = {
        place,
        demarche: this.demarche,
        slot: null,
        person: { name: "", email: "", phone: "", consent: false },
        idempotencyKey: newKey(),
      };
      this.renderSlotStep();
    }

    stepFrame(number, title, ...content) {
      const headingId = nextId("step");
      const heading = h("h3", { id: headingId, tabindex: "-1" }, title);
      const place = this.state.booking.place;
      const back = h("button", {
        type: "button",
        class: "fs-link",
        text: number === 1 ? T.backToResults : T.back,
        onclick: () => {
          this.showError("");
          if (number === 1) this.backToResults(place);
          else if (number === 2) this.renderSlotStep();
          else this.renderContactStep();
        },
      });
      this.main.replaceChildren(
        h(
          "div",
          { class: "fs-step", role: "group", "aria-labelledby": headingId },
          back,
          h("p", { class: "fs-steps", text: T.stepOf(number, 3) }),
          heading,
          h("p", { class: "fs-muted" }, place.stopName ? `${place.name} — ${place.stopName}` : place.name),
          ...content,
        ),
      );
      heading.focus();
    }

    backToResults(place) {
      this.state.booking = null;
      this.renderSearch();
      const index = this.state.results.indexOf(place);
      const card = this.resultsBox.querySelectorAll(".fs-card")[index];
      const button = card && card.querySelector("button:not([hidden])");
      (button || this.searchInput).focus();
    }

    renderSlotStep() {
      const booking = this.state.booking;
      const selectId = nextId("demarche");
      const select = h("select", { id: selectId, name: "demarche", required: true });
      const slotsBox = h("div", { class: "fs-slots" });
      const form = h(
        "form",
        { novalidate: true, onsubmit: (e) => this.onSlotChosen(e, select) },
        h("div", { class: "fs-field" }, h("label", { for: selectId, text: T.demarche }), select),
        slotsBox,
        h("div", { class: "fs-actions" }, h("button", { type: "submit", text: T.continue })),
      );
      this.stepFrame(1, T.stepSlot, form);
      const previous = this.demarche;
      this.demarche = booking.demarche;
      this.fillDemarcheSelect(select, T.chooseDemarche);
      this.demarche = previous;
      const load = () => {
        if (booking.demarche !== select.value) booking.slot = null;
        booking.demarche = select.value;
        this.loadSlots(slotsBox);
      };
      select.addEventListener("change", load);
      load();
    }

    async loadSlots(box) {
      const { place, demarche } = this.state.booking;
      if (!demarche) {
        box.replaceChildren();
        return;
      }
      box.replaceChildren(h("p", { class: "fs-muted", text: T.loadingSlots }));
      let slots;
      try {
        slots = slotsOf(await this.slots(place, demarche));
      } catch (error) {
        box.replaceChildren();
        this.showError(error.message);
        return;
      }
      if (this.state.booking === null || this.state.booking.demarche !== demarche) return;
      if (!slots.length) {
        box.replaceChildren(h("p", { text: T.noSlots }));
        this.announce(T.noSlots);
        return;
      }
      this.announce(T.slotsFound(slots.length));
      const booking = this.state.booking;
      renderSlotDays(box, slots, place.timezone, {
        legend: T.slotsFor,
        more: T.moreSlots,
        isChecked: (slot) => booking.slot !== null && booking.slot.raw.starts_at === slot.raw.starts_at,
        onPick: (slot) => {
          booking.slot = slot;
        },
      });
    }

    onSlotChosen(event, select) {
      event.preventDefault();
      if (!select.value) {
        this.showError(`${T.chooseDemarche}.`);
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
      const person = this.state.booking.person;
      const field = (name, label, type, autocomplete, hint, optional) => {
        const id = nextId(name);
        const hintId = hint ? `${id}-hint` : null;
        return h(
          "div",
          { class: "fs-field" },
          h("label", { for: id }, label, optional ? ` ${T.optional}` : ""),
          hint ? h("span", { class: "fs-hint", id: hintId, text: hint }) : null,
          h("p", { class: "fs-field-error", id: `${id}-error` }),
          h("input", {
            id,
            name,
            type,
            autocomplete,
            value: person[name],
            "aria-describedby": present(hintId, `${id}-error`).join(" "),
            "aria-required": optional ? null : "true",
          }),
        );
      };
      const consentId = nextId("consent");
      const form = h(
        "form",
        { novalidate: true, onsubmit: (e) => this.onContact(e) },
        h("p", { class: "fs-hint", text: T.contactHint }),
        field("name", T.name, "text", "name"),
        field("email", T.email, "email", "email", T.emailHint, true),
        field("phone", T.phoneField, "tel", "tel", T.phoneHint, true),
        h("p", { class: "fs-field-error", id: `${consentId}-error` }),
        h(
          "div",
          { class: "fs-check" },
          h("input", {
            type: "checkbox",
            id: consentId,
            name: "consent",
            checked: person.consent,
            "aria-required": "true",
            "aria-describedby": `${consentId}-error`,
          }),
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
      const person = {
        name: value("name").replace(/\s+/g, " "),
        email: value("email"),
        phone: value("phone"),
        consent: form.elements.consent.checked,
      };
      this.state.booking.person = person;
      const errors = [];
      if (person.name.length < 2) errors.push(["name", T.errName]);
      if (!person.email && !person.phone) errors.push(["email", T.errContact]);
      if (person.email && !/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(person.email)) errors.push(["email", T.errEmail]);
      if (person.phone && !/^(\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}$/.test(person.phone)) errors.push(["phone", T.errPhone]);
      if (!person.consent) errors.push(["consent", T.errConsent]);
      for (const input of form.querySelectorAll("input")) {
        input.removeAttribute("aria-invalid");
        this.main.querySelector(`#${input.id}-error`).textContent = "";
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

    recap(booking) {
      const { place, demarche, slot, person } = this.state.booking;
      const when = booking ? new Date(booking.starts_at) : slot.start;
      const rows = [
        [T.place, place.stopName ? `${place.name} — ${place.stopName}` : place.name],
        [T.address, booking ? booking.place.address : place.address],
        [T.demarche, this.demarcheOf(demarche).label],
        [T.when, `${longDay(when, place.timezone)} à ${timeOf(when, place.timezone)}`],
        [T.who, person.name],
        [T.contact, present(person.email, person.phone).join(" · ")],
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
      const booking = this.state.booking;
      const { place, demarche, slot, person } = booking;
      button.disabled = true;
      button.textContent = T.confirming;
      this.announce(T.confirming);
      this.showError("");
      const payload = {
        ...place.target,
        demarches: [demarche],
        starts_at: slot.raw.starts_at,
        person: {
          name: person.name,
          email: person.email || null,
          phone: person.phone || null,
          consent_contact: person.consent,
        },
      };
      let created;
      try {
        created = await this.api("/v1/bookings", { method: "POST", body: payload, idempotencyKey: booking.idempotencyKey });
      } catch (error) {
        this.announce("");
        if (error.status === 409) {
          // The slot was just taken: back to the slots, with the reason, and a fresh request next time.
          booking.slot = null;
          booking.idempotencyKey = newKey();
          this.slotCache.clear();
          this.renderSlotStep();
          this.showError(error.message);
          return;
        }
        button.disabled = false;
        button.textContent = T.confirm;
        this.showError(error.message);
        return;
      }
      this.announce("");
      this.slotCache.clear();
      this.renderDone(created);
    }

    renderDone(created) {
      const headingId = nextId("done");
      const heading = h("h3", { id: headingId, tabindex: "-1", text: T.done });
      // The booking page of the gateway this widget talks to (the link in the e-mail is the same page).
      const manage = created.manage_token ? `${this.apiBase}/rendez-vous#${created.manage_token}` : null;
      const documents = (created.demarches || []).flatMap((d) => d.documents || []);
      this.main.replaceChildren(
        h(
          "div",
          { class: "fs-step fs-done", role: "group", "aria-labelledby": headingId },
          heading,
          h(
            "div",
            { class: "fs-success-box" },
            h("p", { text: T.confirmed }),
            h("p", {}, `${T.reference} : `, h("strong", { text: String(created.id).slice(0, 8).toUpperCase() })),
          ),
          this.recap(created),
          documents.length
            ? [h("h4", { text: T.documents }), h("ul", { class: "fs-documents" }, documents.map((d) => h("li", { text: d })))]
            : null,
          manage
            ? [
              h("p", {}, h("a", { class: "fs-button", href: manage, target: "_blank", rel: "noopener", text: T.manage })),
              h("p", { class: "fs-muted", text: T.manageHint }),
            ]
            : null,
          h(
            "div",
            { class: "fs-actions" },
            h("button", {
              type: "button",
              class: "fs-secondary",
              text: T.newSearch,
              onclick: () => {
                this.state.booking = null;
                this.state.results = [];
                this.state.query = "";
                this.renderSearch();
                this.searchInput.focus();
              },
            }),
          ),
        ),
      );
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
