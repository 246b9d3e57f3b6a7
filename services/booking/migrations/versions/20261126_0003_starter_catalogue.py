"""starter catalogue: 25 common démarches

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Inserted only when missing: an admin's later edits are never overwritten.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = "Pièce d'identité en cours de validité"
ADDRESS = "Justificatif de domicile de moins de 3 mois"
LOGINS = "Identifiants de connexion (ou adresse e-mail et téléphone pour les créer)"
VITALE = "Carte Vitale ou attestation de droits"
RIB = "Relevé d'identité bancaire (RIB)"
TAX = "Dernier avis d'imposition"
SITE = ["on_site"]
ALL = ["on_site", "phone", "video"]

# (code, label, partner, duration in minutes, documents, modalities)
CATALOGUE = [
    (
        "caf-rsa",
        "Demander le revenu de solidarité active (RSA)",
        "caf",
        45,
        [ID, ADDRESS, RIB, "Justificatifs de ressources des 3 derniers mois", LOGINS],
        ALL,
    ),
    (
        "caf-prime-activite",
        "Demander la prime d'activité",
        "caf",
        30,
        [ID, RIB, "Bulletins de salaire des 3 derniers mois", LOGINS],
        ALL,
    ),
    (
        "caf-aide-logement",
        "Demander une aide au logement (APL, ALS, ALF)",
        "caf",
        45,
        [ID, RIB, "Bail ou contrat de location", "Coordonnées du bailleur", LOGINS],
        ALL,
    ),
    (
        "caf-changement-situation",
        "Déclarer un changement de situation à la CAF",
        "caf",
        30,
        [ID, "Justificatif du changement (naissance, séparation, emploi…)", LOGINS],
        ALL,
    ),
    (
        "caf-declaration-trimestrielle",
        "Faire sa déclaration trimestrielle de ressources (RSA, AAH)",
        "caf",
        20,
        ["Justificatifs de ressources du trimestre", LOGINS],
        ALL,
    ),
    (
        "ameli-carte-vitale",
        "Commander ou renouveler sa carte Vitale",
        "assurance_maladie",
        20,
        [ID, "Photo d'identité récente", LOGINS],
        SITE,
    ),
    (
        "ameli-css",
        "Demander la complémentaire santé solidaire (C2S)",
        "assurance_maladie",
        30,
        [ID, VITALE, "Justificatifs de ressources des 12 derniers mois", TAX],
        ALL,
    ),
    (
        "ameli-compte",
        "Créer et utiliser son compte ameli",
        "assurance_maladie",
        20,
        [VITALE, RIB, "Adresse e-mail et téléphone portable"],
        ALL,
    ),
    (
        "ameli-arret-travail",
        "Suivre ses indemnités journalières (arrêt de travail)",
        "assurance_maladie",
        20,
        [VITALE, "Avis d'arrêt de travail", "Attestation de salaire de l'employeur"],
        ALL,
    ),
    (
        "retraite-demande",
        "Demander sa retraite",
        "assurance_retraite",
        60,
        [ID, RIB, TAX, "Relevé de carrière", "Livret de famille si enfants", LOGINS],
        ALL,
    ),
    (
        "retraite-releve-carriere",
        "Vérifier et corriger son relevé de carrière",
        "assurance_retraite",
        45,
        [ID, "Bulletins de salaire ou attestations des périodes manquantes", LOGINS],
        ALL,
    ),
    (
        "retraite-aspa",
        "Demander l'allocation de solidarité aux personnes âgées (ASPA)",
        "assurance_retraite",
        45,
        [ID, RIB, TAX, "Justificatifs de ressources des 3 derniers mois"],
        ALL,
    ),
    (
        "msa-prestations",
        "Faire une démarche auprès de la MSA (santé, famille, retraite agricole)",
        "msa",
        30,
        [ID, VITALE, LOGINS],
        ALL,
    ),
    (
        "ft-inscription",
        "S'inscrire à France Travail",
        "france_travail",
        30,
        [ID, "Curriculum vitae", RIB, "Attestation employeur destinée à France Travail"],
        ALL,
    ),
    (
        "ft-actualisation",
        "S'actualiser et suivre son dossier France Travail",
        "france_travail",
        20,
        ["Identifiant France Travail et mot de passe", "Bulletins de salaire du mois"],
        ALL,
    ),
    (
        "ft-cv",
        "Préparer son CV et postuler en ligne",
        "france_travail",
        45,
        ["Curriculum vitae s'il existe", "Diplômes et attestations de formation"],
        SITE,
    ),
    (
        "dgfip-declaration-revenus",
        "Déclarer ses revenus",
        "dgfip",
        30,
        [TAX, "Numéro fiscal", "Justificatifs de revenus et de charges de l'année"],
        ALL,
    ),
    (
        "dgfip-prelevement-source",
        "Gérer son prélèvement à la source (taux, acomptes)",
        "dgfip",
        20,
        ["Numéro fiscal", TAX],
        ALL,
    ),
    (
        "dgfip-espace-particulier",
        "Créer son espace particulier sur impots.gouv.fr",
        "dgfip",
        20,
        ["Numéro fiscal", "Revenu fiscal de référence du dernier avis", "Adresse e-mail"],
        ALL,
    ),
    (
        "ants-carte-identite",
        "Préparer une demande de carte d'identité (pré-demande en ligne)",
        "france_titres",
        30,
        [ID, ADDRESS, "Photo d'identité de moins de 6 mois", "Timbre fiscal en cas de perte ou vol"],
        SITE,
    ),
    (
        "ants-passeport",
        "Préparer une demande de passeport (pré-demande en ligne)",
        "france_titres",
        30,
        [ID, ADDRESS, "Photo d'identité de moins de 6 mois", "Timbre fiscal"],
        SITE,
    ),
    (
        "ants-permis-conduire",
        "Demander ou renouveler son permis de conduire",
        "france_titres",
        30,
        [ID, ADDRESS, "Photo-signature numérique (e-photo)", "Permis actuel s'il existe"],
        SITE,
    ),
    (
        "ants-carte-grise",
        "Faire une démarche de certificat d'immatriculation (carte grise)",
        "france_titres",
        30,
        [ID, ADDRESS, "Certificat d'immatriculation actuel", "Certificat de cession si achat d'occasion"],
        SITE,
    ),
    (
        "justice-aide-juridictionnelle",
        "Demander l'aide juridictionnelle",
        "justice",
        45,
        [ID, TAX, "Justificatifs de ressources", "Documents relatifs à l'affaire"],
        ALL,
    ),
    (
        "laposte-identite-numerique",
        "Activer son identité numérique La Poste",
        "la_poste",
        20,
        ["Carte d'identité ou passeport biométrique", "Smartphone compatible"],
        SITE,
    ),
]


def upgrade() -> None:
    table = sa.table(
        "demarche",
        sa.column("code", sa.String),
        sa.column("label", sa.String),
        sa.column("partner", sa.String),
        sa.column("duration_minutes", sa.Integer),
        sa.column("documents", postgresql.JSONB),
        sa.column("modalities", postgresql.ARRAY(sa.String)),
        sa.column("active", sa.Boolean),
    )
    rows = [
        {
            "code": code,
            "label": label,
            "partner": partner,
            "duration_minutes": duration,
            "documents": documents,
            "modalities": modalities,
            "active": True,
        }
        for code, label, partner, duration, documents, modalities in CATALOGUE
    ]
    op.execute(postgresql.insert(table).values(rows).on_conflict_do_nothing(index_elements=["code"]))


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM demarche WHERE code = ANY(:codes)").bindparams(codes=[c[0] for c in CATALOGUE])
    )
