/*
 * France Services — module à intégrer : la prise de rendez-vous en trois étapes (1 créneau,
 * 2 coordonnées, 3 confirmation), puis le récapitulatif. Méthodes ajoutées à l'élément du module.
 */
(() => {
  "use strict";

  const { h, longDay, newKey, nextId, present, renderSlotDays, slotsOf, timeOf } = window.FranceServicesKit;
  const { T } = window.FranceServicesWidget;

  window.FranceServicesWidget.bookingSteps = {
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
    },

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
    },

    backToResults(place) {
      this.state.booking = null;
      this.renderSearch();
      const index = this.state.results.indexOf(place);
      const card = this.resultsBox.querySelectorAll(".fs-card")[index];
      const button = card && card.querySelector("button:not([hidden])");
      (button || this.searchInput).focus();
    },

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
    },

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
    },

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
    },

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
    },

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
    },

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
    },

    renderConfirmStep() {
      const button = h("button", { type: "submit", text: T.confirm });
      const form = h(
        "form",
        { novalidate: true, onsubmit: (e) => this.onConfirm(e, button) },
        this.recap(),
        h("div", { class: "fs-actions" }, button),
      );
      this.stepFrame(3, T.stepConfirm, form);
    },

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
    },

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
    },
  };
})();
