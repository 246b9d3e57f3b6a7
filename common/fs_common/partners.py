"""The nine national partners present in every France Services: one vocabulary for every service."""

from enum import StrEnum


class Partner(StrEnum):
    caf = "caf"
    assurance_maladie = "assurance_maladie"
    assurance_retraite = "assurance_retraite"
    msa = "msa"
    france_travail = "france_travail"
    la_poste = "la_poste"
    dgfip = "dgfip"
    justice = "justice"
    france_titres = "france_titres"


PARTNER_LABELS = {
    Partner.caf: "Caisse d'allocations familiales (CAF)",
    Partner.assurance_maladie: "Assurance Maladie",
    Partner.assurance_retraite: "Assurance retraite",
    Partner.msa: "Mutualité sociale agricole (MSA)",
    Partner.france_travail: "France Travail",
    Partner.la_poste: "La Poste",
    Partner.dgfip: "Finances publiques (DGFiP)",
    Partner.justice: "Ministère de la Justice",
    Partner.france_titres: "France Titres (ANTS) – Ministère de l'Intérieur",
}
