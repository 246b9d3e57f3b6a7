/*
 * France Services — module à intégrer : les textes en français, leur mise en forme (fr-FR, fuseau du
 * lieu) et la forme des réponses de l'API, partagés par le module et ses étapes de réservation.
 */
(() => {
  "use strict";

  const { clock, dayKey, longDay, timeOf, zoned } = window.FranceServicesKit;

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

  window.FranceServicesWidget = { T, duration, distance, relativeDay, relative, todayHours, placeOf };
})();
