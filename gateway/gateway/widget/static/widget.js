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

  // Shared with the booking page (kit.js) and the widget's other parts (widget-*.js), served in front.
  const { h, nextId, present, request, slotsOf, timeOf } = window.FranceServicesKit;
  const {
    T, bookingSteps, distance, drawMap, placeOf, relative, relativeDay, todayHours,
  } = window.FranceServicesWidget;

  const SCRIPT_SRC = document.currentScript && document.currentScript.src;
  const DEFAULT_BASE = SCRIPT_SRC ? new URL(SCRIPT_SRC).origin : window.location.origin;
  const CSS_URL = SCRIPT_SRC ? new URL("widget.css", SCRIPT_SRC).href : "/widget.css";

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
      return drawMap({
        template: this.getAttribute("map-tiles"),
        attribution: this.getAttribute("map-attribution"),
        points: this.state.results.map((p) => p.location).filter(Boolean),
        origin: this.state.origin,
        width: Math.max(this.main.clientWidth, 280),
        label: T.map,
      });
    }
  }

  Object.assign(FranceServicesLocator.prototype, bookingSteps);

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
