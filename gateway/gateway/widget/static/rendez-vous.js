/*
 * France Services — page « Mon rendez-vous » (/rendez-vous#<jeton>), the link sent to the person by e-mail
 * or SMS: see the booking, move it to another free slot of the same place and démarches, or cancel it.
 *
 * The token is the URL's fragment: browsers never send it to a server, so it is in no access log and no
 * Referer header. After a move the API gives a new token (the old link stops working): the page switches
 * to it with history.replaceState. Plain JavaScript, no build step; kit.js (shared with the widget) is
 * served in front of this file. The content renders in a Shadow DOM with the widget's style sheet.
 */
(() => {
  "use strict";

  const { h, nextId, renderSlotDays, request, slotsOf, timeOf, zoned } = window.FranceServicesKit;

  const T = {
    loading: "Chargement de votre rendez-vous…",
    loaded: "Votre rendez-vous est affiché.",
    noToken: "Ce lien est incomplet. Ouvrez le lien complet reçu par e-mail ou par SMS : "
      + "il se termine par le signe # suivi d'une suite de lettres et de chiffres.",
    invalidTitle: "Lien non valide",
    invalidHint: "Si vous avez reporté ce rendez-vous, utilisez le lien du dernier message reçu. "
      + "Vous pouvez aussi appeler votre France Services.",
    bookingTitle: "Votre rendez-vous",
    status: "Statut",
    statuses: {
      confirmed: "Confirmé",
      cancelled: "Annulé",
      cancelled_by_site: "Annulé par la France Services",
      honoured: "Honoré",
      no_show: "Absence",
      excused: "Absence excusée",
    },
    when: "Date et heure",
    localTime: " (heure du lieu)",
    place: "Lieu",
    address: "Adresse",
    demarches: "Démarches",
    demarche: "Démarche",
    who: "Nom",
    reference: "Référence",
    documents: "Documents à apporter",
    noDocuments: "Aucun document particulier n'est demandé.",
    range: (day, from, to) => `${day}, de ${from} à ${to}`,
    at: (day, time) => `${day} à ${time}`,
    reschedule: "Reporter le rendez-vous",
    cancel: "Annuler le rendez-vous",
    until: (what, when) => `${what} possible en ligne jusqu'au ${when}.`,
    rescheduleWord: "Report",
    cancelWord: "Annulation",
    rescheduleClosed: "Le report en ligne n'est plus possible. Pour changer d'horaire, annulez ce rendez-vous "
      + "(si c'est encore possible) et prenez-en un autre, ou prévenez la France Services.",
    cancelClosed: "L'annulation en ligne n'est plus possible : prévenez directement la France Services.",
    cancelTitle: "Annuler ce rendez-vous ?",
    cancelWarning: "L'annulation est définitive : la place est rendue à une autre personne.",
    cancelYes: "Oui, annuler le rendez-vous",
    cancelNo: "Non, garder le rendez-vous",
    cancelling: "Annulation en cours…",
    cancelled: "Votre rendez-vous est annulé. Un message de confirmation vous est envoyé.",
    moveTitle: "Choisir un nouveau créneau",
    moveHint: (labels) => `Même lieu et même${labels.length > 1 ? "s démarches" : " démarche"} : ${labels.join(", ")}.`,
    current: "Rendez-vous actuel",
    loadingSlots: "Recherche des créneaux libres…",
    slotsFound: (n) => `${n} créneau${n > 1 ? "x" : ""} disponible${n > 1 ? "s" : ""}.`,
    noSlots: "Aucun autre créneau libre dans les prochaines semaines pour ce lieu. "
      + "Vous pouvez garder ce rendez-vous ou appeler la France Services.",
    alternatives: "Créneaux libres les plus proches",
    slotsFor: (day) => `Créneaux du ${day}`,
    moreSlots: "Plus de créneaux",
    chooseSlot: "Choisissez un créneau.",
    continue: "Continuer",
    back: "Retour à mon rendez-vous",
    confirmTitle: "Confirmer le report",
    oldSlot: "Ancien créneau",
    newSlot: "Nouveau créneau",
    confirmMove: "Confirmer le report",
    otherSlot: "Choisir un autre créneau",
    moving: "Report en cours…",
    moved: (when) => `Votre rendez-vous est reporté au ${when}.`,
    newLink: "Le lien que vous avez utilisé ne fonctionne plus. Le nouveau lien vous est envoyé par e-mail "
      + "ou SMS dans le message qui suit ; cette page utilise déjà le nouveau lien.",
  };

  const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;
  const ACTIVE = "confirmed";

  function fullDay(date, zone) {
    return zoned(date, zone, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
  }

  function slotText(start, zone) {
    return T.at(fullDay(start, zone), timeOf(start, zone));
  }

  /** The booking's place shown to the person, and where its free slots are. */
  function slotsPath(place) {
    return place.stop_id ? `/v1/stops/${place.stop_id}/slots` : `/v1/sites/${place.site_id}/slots`;
  }

  class BookingPage {
    constructor(host) {
      this.host = host;
      const root = host.attachShadow({ mode: "open" });
      const styles = (host.dataset.styles || "").split(/\s+/).filter(Boolean);
      root.append(
        ...styles.map((href) => h("link", { rel: "stylesheet", href })),
        h(
          "section",
          { class: "fs-widget fs-manage", "aria-label": document.title.split(" — ")[0], lang: "fr" },
          (this.status = h("p", { class: "fs-visually-hidden", role: "status", "aria-live": "polite" })),
          (this.errorBox = h("div", { class: "fs-error", role: "alert" })),
          (this.main = h("div", { class: "fs-main" })),
        ),
      );
      this.booking = null;
      window.addEventListener("hashchange", () => this.load(true));
      this.load(false);
    }

    get token() {
      return decodeURIComponent(window.location.hash.replace(/^#/, ""));
    }

    api(path, options) {
      return request(window.location.origin + path, options);
    }

    /** The manage API: the token goes in the JSON body, never in the address (proxies log addresses). */
    manage(action, fields = {}) {
      const path = action ? `/v1/bookings/manage/${action}` : "/v1/bookings/manage";
      return this.api(path, { method: "POST", body: { token: this.token, ...fields } });
    }

    showError(message) {
      this.errorBox.textContent = message || "";
    }

    announce(message) {
      this.status.textContent = message || "";
    }

    /** Shows `children` under a heading; the heading takes the focus when the person acted. */
    view(title, focus, ...children) {
      const headingId = nextId("view");
      const heading = h("h2", { id: headingId, tabindex: "-1", text: title });
      this.main.replaceChildren(h("div", { class: "fs-step", role: "group", "aria-labelledby": headingId }, heading, ...children));
      if (focus) heading.focus();
    }

    // ------------------------------------------------------------ the booking

    async load(focus) {
      this.showError("");
      const token = this.token;
      if (!TOKEN.test(token)) {
        this.renderInvalid(T.noToken, focus);
        return;
      }
      this.announce(T.loading);
      this.main.replaceChildren(h("p", { class: "fs-muted", text: T.loading }));
      try {
        this.booking = await this.manage();
      } catch (error) {
        this.announce("");
        if (error.status === 404 || error.status === 422) this.renderInvalid(error.message, focus);
        else {
          this.main.replaceChildren();
          this.showError(error.message);
        }
        return;
      }
      this.renderBooking({ focus });
      this.announce(T.loaded);
    }

    renderInvalid(message, focus) {
      this.booking = null;
      this.announce("");
      this.view(T.invalidTitle, focus, h("p", { class: "fs-notice", text: message }), h("p", { text: T.invalidHint }));
    }

    recap(booking, extra) {
      const zone = booking.place.timezone;
      const start = new Date(booking.starts_at);
      const local = Intl.DateTimeFormat().resolvedOptions().timeZone === zone ? "" : T.localTime;
      const labels = booking.demarches.map((d) => d.label);
      const rows = [
        [T.status, h("span", { class: `fs-status fs-status-${booking.status}`, text: T.statuses[booking.status] || booking.status })],
        [T.when, T.range(fullDay(start, zone), timeOf(start, zone), timeOf(new Date(booking.ends_at), zone)) + local],
        [T.place, booking.place.name],
        [T.address, booking.place.address],
        [labels.length > 1 ? T.demarches : T.demarche, labels.join(", ")],
        [T.who, booking.person && booking.person.name],
        [T.reference, String(booking.id).slice(0, 8).toUpperCase()],
        ...(extra || []),
      ];
      return h("dl", { class: "fs-recap" }, rows.filter((r) => r[1]).map(([k, v]) => [h("dt", { text: k }), h("dd", {}, v)]));
    }

    renderBooking({ focus = false, message = null } = {}) {
      const booking = this.booking;
      const zone = booking.place.timezone;
      const now = Date.now();
      const documents = [...new Set(booking.demarches.flatMap((d) => d.documents || []))];
      let actions = null;
      if (booking.status === ACTIVE) {
        const canMove = now < new Date(booking.reschedulable_until).getTime();
        const canCancel = now < new Date(booking.cancellable_until).getTime();
        actions = [
          h("h3", { text: "Modifier ou annuler" }),
          h("p", {}, canMove
            ? T.until(T.rescheduleWord, slotText(new Date(booking.reschedulable_until), zone))
            : T.rescheduleClosed),
          h("p", {}, canCancel
            ? T.until(T.cancelWord, slotText(new Date(booking.cancellable_until), zone))
            : T.cancelClosed),
          h(
            "div",
            { class: "fs-actions" },
            canMove ? h("button", { type: "button", text: T.reschedule, onclick: () => this.renderMove() }) : null,
            canCancel
              ? h("button", { type: "button", class: "fs-secondary", text: T.cancel, onclick: () => this.renderCancel() })
              : null,
          ),
        ];
      }
      this.view(
        T.bookingTitle,
        focus,
        message,
        this.recap(booking),
        h("h3", { text: T.documents }),
        documents.length
          ? h("ul", { class: "fs-documents" }, documents.map((d) => h("li", { text: d })))
          : h("p", { text: T.noDocuments }),
        actions,
      );
    }

    // ------------------------------------------------------------ cancel, after a confirmation

    renderCancel() {
      this.showError("");
      const yes = h("button", { type: "submit", class: "fs-danger", text: T.cancelYes });
      const form = h(
        "form",
        { novalidate: true, onsubmit: (e) => this.onCancel(e, yes) },
        this.recap(this.booking),
        h("p", { class: "fs-notice", text: T.cancelWarning }),
        h(
          "div",
          { class: "fs-actions" },
          yes,
          h("button", { type: "button", class: "fs-secondary", text: T.cancelNo, onclick: () => this.back() }),
        ),
      );
      this.view(T.cancelTitle, true, form);
    }

    back() {
      this.showError("");
      this.renderBooking({ focus: true });
    }

    async onCancel(event, button) {
      event.preventDefault();
      button.disabled = true;
      button.textContent = T.cancelling;
      this.announce(T.cancelling);
      this.showError("");
      try {
        this.booking = await this.manage("cancel");
      } catch (error) {
        this.refused(error, () => {
          button.disabled = false;
          button.textContent = T.cancelYes;
        });
        return;
      }
      this.announce("");
      this.renderBooking({ focus: true, message: h("div", { class: "fs-success-box" }, h("p", { text: T.cancelled })) });
    }

    /** The API said no: an unknown link, a cut-off passed (the booking is shown again as it is now), … */
    async refused(error, otherwise) {
      this.announce("");
      if (error.status === 404) {
        this.renderInvalid(error.message, true);
        return;
      }
      if (error.status === 409) {
        try {
          this.booking = await this.manage();
        } catch {
          // The refusal's own reason is what matters; the booking stays as last shown.
        }
        this.renderBooking({ focus: true });
      } else {
        otherwise();
      }
      this.showError(error.message);
    }

    // ------------------------------------------------------------ reschedule: pick a slot, then confirm

    renderMove(alternatives) {
      const booking = this.booking;
      const zone = booking.place.timezone;
      this.move = { slot: null };
      const slotsBox = h("div", { class: "fs-slots" });
      const form = h(
        "form",
        { novalidate: true, onsubmit: (e) => this.onSlotChosen(e) },
        h("p", { text: T.moveHint(booking.demarches.map((d) => d.label)) }),
        h("p", { class: "fs-muted" }, `${T.current} : ${slotText(new Date(booking.starts_at), zone)}`),
        alternatives ? h("h3", { text: T.alternatives }) : null,
        slotsBox,
        h(
          "div",
          { class: "fs-actions" },
          h("button", { type: "submit", text: T.continue }),
          h("button", { type: "button", class: "fs-secondary", text: T.back, onclick: () => this.back() }),
        ),
      );
      this.view(T.moveTitle, true, form);
      if (alternatives) this.showSlots(slotsBox, alternatives.map((raw) => ({ start: new Date(raw.starts_at), raw })));
      else this.loadSlots(slotsBox);
    }

    async loadSlots(box) {
      const booking = this.booking;
      box.replaceChildren(h("p", { class: "fs-muted", text: T.loadingSlots }));
      this.announce(T.loadingSlots);
      let slots;
      try {
        const codes = booking.demarches.map((d) => d.code);
        slots = slotsOf(await this.api(slotsPath(booking.place), { params: { demarche: codes } }));
      } catch (error) {
        box.replaceChildren();
        this.announce("");
        this.showError(error.message);
        return;
      }
      this.showSlots(box, slots);
    }

    showSlots(box, all) {
      const current = new Date(this.booking.starts_at).getTime();
      const slots = all.filter((slot) => slot.start.getTime() !== current);
      if (!slots.length) {
        box.replaceChildren(h("p", { text: T.noSlots }));
        this.announce(T.noSlots);
        return;
      }
      this.announce(T.slotsFound(slots.length));
      renderSlotDays(box, slots, this.booking.place.timezone, {
        legend: T.slotsFor,
        more: T.moreSlots,
        isChecked: (slot) => this.move.slot !== null && this.move.slot.raw.starts_at === slot.raw.starts_at,
        onPick: (slot) => {
          this.move.slot = slot;
        },
      });
    }

    onSlotChosen(event) {
      event.preventDefault();
      if (!this.move.slot) {
        this.showError(T.chooseSlot);
        const first = this.main.querySelector('input[name="slot"]');
        if (first) first.focus();
        return;
      }
      this.showError("");
      this.renderMoveConfirm();
    }

    renderMoveConfirm() {
      const booking = this.booking;
      const zone = booking.place.timezone;
      const slot = this.move.slot;
      const button = h("button", { type: "submit", text: T.confirmMove });
      const form = h(
        "form",
        { novalidate: true, onsubmit: (e) => this.onMove(e, button) },
        h(
          "dl",
          { class: "fs-recap" },
          h("dt", { text: T.oldSlot }),
          h("dd", {}, h("s", { text: slotText(new Date(booking.starts_at), zone) })),
          h("dt", { text: T.newSlot }),
          h("dd", {}, h("strong", { text: slotText(slot.start, zone) })),
          h("dt", { text: T.place }),
          h("dd", { text: booking.place.name }),
        ),
        h(
          "div",
          { class: "fs-actions" },
          button,
          h("button", {
            type: "button",
            class: "fs-secondary",
            text: T.otherSlot,
            onclick: () => {
              this.showError("");
              this.renderMove();
            },
          }),
        ),
      );
      this.view(T.confirmTitle, true, form);
    }

    async onMove(event, button) {
      event.preventDefault();
      const slot = this.move.slot;
      button.disabled = true;
      button.textContent = T.moving;
      this.announce(T.moving);
      this.showError("");
      let moved;
      try {
        moved = await this.manage("reschedule", { starts_at: slot.raw.starts_at });
      } catch (error) {
        const alternatives = error.problem && error.problem.alternatives;
        if (error.status === 409 && Array.isArray(alternatives)) {
          // The slot was just taken: the booking keeps its place; offer the nearest free ones.
          this.announce("");
          this.renderMove(alternatives);
          this.showError(error.message);
          return;
        }
        this.refused(error, () => {
          button.disabled = false;
          button.textContent = T.confirmMove;
        });
        return;
      }
      // The old token no longer works: from now on the page (and its address) uses the new one.
      window.history.replaceState(null, "", `#${moved.manage_token}`);
      const { manage_token: _token, manage_url: _url, ...booking } = moved;
      this.booking = booking;
      this.announce("");
      const when = slotText(new Date(booking.starts_at), booking.place.timezone);
      this.renderBooking({
        focus: true,
        message: h("div", { class: "fs-success-box" }, h("p", { text: T.moved(when) }), h("p", { text: T.newLink })),
      });
    }
  }

  function start() {
    const host = document.getElementById("fs-rendez-vous");
    if (host && !host.shadowRoot) new BookingPage(host);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
