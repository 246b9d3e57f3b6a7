"""The comment extractor, on real comment snippets of the national list and the real commune table."""

from functools import cache

import pytest

from locator.communes.importer import read_refs
from locator.communes.repository import CommuneRef
from locator.data_files import COMMUNES_CSV
from locator.itineraries.extraction import AFTERNOON, MORNING, CommuneNames, extract_stops


@cache
def communes(departement: str) -> CommuneNames:
    return CommuneNames(r for r in read_refs(COMMUNES_CSV) if r.departement == departement)


def by_commune(comment: str, departement: str) -> dict[str, list[tuple]]:
    """commune name → [(weekdays, ranges, weeks_of_month, week_parity), …]"""
    result = extract_stops(comment, communes(departement))
    return {
        s.commune_name: [
            (
                v["weekdays"],
                [tuple(r) for r in v["ranges"]],
                v.get("weeks_of_month"),
                v.get("week_parity"),
            )
            for v in s.visits
        ]
        for s in result.stops
    }


MONTHOIS = (
    "A la demande de lundi au vendredi de 08H30 à 12H00 et 13H30 à 17H00. Itinérances de 09H00 à 12H00 "
    "et de 13H00 à 16H30 les : lundis à la mairie de Monthois, mardis à la mairie de Machault, les "
    "mercredis à la mairie annexe de Buzancy ( rue Charles Coffin), les jeudis à Grandpré salle des "
    "Berceaux (rue des Berceaux) et les vendredis à Bairon et ses environs à l'Espace Jean Moreaux "
    "( rue Cadot)."
)


def test_day_first_with_sentence_hours_names_and_street():
    result = extract_stops(MONTHOIS, communes("08"))
    stops = {s.commune_name: s for s in result.stops}
    hours = [["09:00", "12:00"], ["13:00", "16:30"]]
    assert [(s.commune_name, s.visits[0]["weekdays"]) for s in result.stops] == [
        ("Monthois", [0]),
        ("Machault", [1]),
        ("Buzancy", [2]),
        ("Grandpré", [3]),
        ("Bairon et ses environs", [4]),
    ]
    assert all(s.visits[0]["ranges"] == hours for s in result.stops)
    assert stops["Monthois"].name == "Mairie de Monthois"
    assert stops["Buzancy"].name == "Mairie annexe de Buzancy"
    assert stops["Buzancy"].address == "rue Charles Coffin"
    assert stops["Grandpré"].name == "Grandpré"
    assert stops["Monthois"].insee_code == "08303"
    # The first sentence has days but no place: reported, not invented.
    assert result.problems == [
        "jour(s) de passage sans commune reconnue : "
        "« de lundi au vendredi de 08H30 à 12H00 et 13H30 à 17H00 »"
    ]


def test_place_first_with_half_days_and_shared_slots():
    comment = (
        "Prise de rendez-vous au 06 02 59 50 57 sur les communes de : Breuil Magné (lundi matin), "
        "Lussant/St Coutant le Grand (lundi après midi), Muron (mardi matin), Port des Barques/La "
        "Gripperie St Symphorien (mardi après-midi)"
    )
    got = by_commune(comment, "17")
    assert got == {
        "Breuil-Magné": [([0], [MORNING], None, None)],
        "Lussant": [([0], [AFTERNOON], None, None)],
        "Saint-Coutant-le-Grand": [([0], [AFTERNOON], None, None)],
        "Muron": [([1], [MORNING], None, None)],
        "Port-des-Barques": [([1], [AFTERNOON], None, None)],
        "La Gripperie-Saint-Symphorien": [([1], [AFTERNOON], None, None)],
    }


def test_times_after_places_belong_to_them():
    comment = "1ere sem du mois lundi Foissac 9h30-12h Serviers 14h-16h30 mardi Aubussargues 9h30-12h"
    result = extract_stops(comment, communes("30"))
    got = by_commune(comment, "30")
    assert got["Foissac"] == [([0], [("09:30", "12:00")], [1], None)]
    assert got["Aubussargues"] == [([1], [("09:30", "12:00")], [1], None)]
    # Serviers-et-Labaume is not written in full: reported with its own hours, not given to Foissac.
    assert "lieu non reconnu parmi les communes du département : « Serviers »" in result.problems


def test_times_before_places_and_a_second_range_for_the_next_place():
    comment = (
        "Mercredi - 9h-12h - Roussillon/Marché République ou Le Péage-de-Roussillon/Place Paul Morand ; "
        "Jeudi - 9h-12h - Chasse-sur-Rhône/Place Jules Ferry + 14h-17h - L'Isle-d'Abeau/Avenue Henri "
        "Bergson ou Bourgoin-Jallieu/Place Nelson Mandela"
    )
    got = by_commune(comment, "38")
    assert got == {
        "Roussillon": [([2], [MORNING], None, None)],
        "Le Péage-de-Roussillon": [([2], [MORNING], None, None)],
        "Chasse-sur-Rhône": [([3], [MORNING], None, None)],
        "L'Isle-d'Abeau": [([3], [AFTERNOON], None, None)],
        "Bourgoin-Jallieu": [([3], [AFTERNOON], None, None)],
    }


def test_explicit_hours_per_day_and_unknown_place_reported():
    comment = (
        "Lundi 14h30-17h Marans / Mardi 9h30-12h Longèves / Mercredi 9h30-12h Villedoux / Mercredi "
        "14h30-17h Charron / Jeudi 9h30-12h Andilly / Vendredi 9h30-12h Saint-Ouen"
    )
    result = extract_stops(comment, communes("17"))
    got = by_commune(comment, "17")
    assert got["Marans"] == [([0], [("14:30", "17:00")], None, None)]
    assert got["Charron"] == [([2], [("14:30", "17:00")], None, None)]
    assert "Saint-Ouen-d'Aunis" not in got  # ambiguous (two Saint-Ouen in 17): not guessed
    assert any("Saint-Ouen" in p for p in result.problems)


def test_week_parity_per_place_and_repeated_stop_merged():
    comment = (
        "Lundi : Montesquieu ( semaines paires ) / Durfort Lacapelette ( semaines impaires ). Mardi : "
        "Moissac sur RDV . Vendredi : Moissac sur RDV"
    )
    got = by_commune(comment, "82")
    assert got == {
        "Montesquieu": [([0], [], None, "even")],
        "Durfort-Lacapelette": [([0], [], None, "odd")],
        "Moissac": [([1], [], None, None), ([4], [], None, None)],
    }


def test_sentence_parity_context_and_slash_hours():
    comment = (
        "L'Emmabüs assure ses permanences sur 15 communes du Nord Charente :Les semaines impaires "
        ":lundi-St Fraigne 9h30/15h30; vendredi-Val de Bonnieure 8h45/12h15-Fouqueure 13h30/16h30. Les "
        "semaines paires: mardi-La forêt de Tessé 9h/12h- Charmé 13h30/16h30"
    )
    got = by_commune(comment, "16")
    assert got == {
        "Saint-Fraigne": [([0], [("09:30", "15:30")], None, "odd")],
        "Val-de-Bonnieure": [([4], [("08:45", "12:15")], None, "odd")],
        "Fouqueure": [([4], [("13:30", "16:30")], None, "odd")],
        "La Forêt-de-Tessé": [([1], [("09:00", "12:00")], None, "even")],
        "Charmé": [([1], [("13:30", "16:30")], None, "even")],
    }


def test_weeks_of_the_month_and_unsupported_rhythm():
    comment = (
        "Chaque mois : 1er lundi Vicq Exemplet, 2e lundi Migné – 4e Vendredi Sacierges st Martin - "
        "DERNIER JOUR DU MOIS Ségry"
    )
    result = extract_stops(comment, communes("36"))
    got = by_commune(comment, "36")
    assert got == {
        "Vicq-Exemplet": [([0], [], [1], None)],
        "Migné": [([0], [], [2], None)],
        "Sacierges-Saint-Martin": [([4], [], [4], None)],
    }
    assert result.problems == [
        "rythme non pris en charge (« DERNIER JOUR DU MOIS ») : « DERNIER JOUR DU MOIS Ségry »"
    ]


def test_weeks_of_month_after_a_place_and_merged_commune_names():
    comment = (
        "Mercredi : La Croix Saint Leufroy (1er et 3ème du mois) ou Ailly (2ème et 4ème du mois, "
        "uniquement le matin) / Jeudi : La Haye Malherbe-Acquigny"
    )
    result = extract_stops(comment, communes("27"))
    got = by_commune(comment, "27")
    assert got == {
        "Ailly": [([2], [MORNING], [2, 4], None)],
        "La Haye-Malherbe": [([3], [], None, None)],
        "Acquigny": [([3], [], None, None)],
    }
    # La Croix-Saint-Leufroy merged into another commune in 2019: not in the table, reported.
    assert any("Croix Saint Leufroy" in p for p in result.problems)


def test_uppercase_place_first_with_unknown_places_splitting():
    comment = (
        "PERMANENCE DE TRUN : LUNDI 9H -12H ET JEUDI 14H-17H - PERMANENCE DE CHAMBOIS : LUNDI 14H-17H "
        "ET MERCREDI 9H-12H - PERMANENCE BOUCE : JEUDI 9H-12H"
    )
    result = extract_stops(comment, communes("61"))
    got = by_commune(comment, "61")
    assert got == {
        "Trun": [([0], [MORNING], None, None), ([3], [AFTERNOON], None, None)],
        "Boucé": [([3], [MORNING], None, None)],
    }
    assert result.problems == [
        "jour(s) de passage sans commune reconnue : "
        "« PERMANENCE DE CHAMBOIS : LUNDI 14H-17H ET MERCREDI 9H-12H »"
    ]


def test_abbreviated_days_and_nth_abbreviations():
    comment = (
        "Horaires: 8h45-11h30/14h-16h30 Me: Maison pour tous, Hennebont/ 2ème je du mois: Atelier Start "
        ", Guidel, 3 et 4 ème Je du mois, Kerpape, Ploemeur/ Ve semaine impaire, Maison Ty Penher, Lanester"
    )
    got = by_commune(comment, "56")
    hours = [("08:45", "11:30"), ("14:00", "16:30")]
    assert got == {
        "Hennebont": [([2], hours, None, None)],
        "Guidel": [([3], hours, [2], None)],
        "Ploemeur": [([3], hours, [3, 4], None)],
        "Lanester": [([4], hours, None, "odd")],
    }


def test_every_other_week_is_reported_not_guessed():
    comment = "Itinérance : Lundi Mairie de Pleyber Christ, 1 Mardi/2 Mairie du Cloître St Thégonnec"
    result = extract_stops(comment, communes("29"))
    assert [(s.name, s.visits[0]["weekdays"]) for s in result.stops] == [("Mairie de Pleyber-Christ", [0])]
    assert result.problems == [
        "rythme non pris en charge (« 1 Mardi/2 ») : « 1 Mardi/2 Mairie du Cloître St Thégonnec »"
    ]


def test_street_names_are_not_communes_and_quartiers_are_reported():
    comment = (
        "le Mercredi à Port Boyer (7 rue du Pornichet), le jeudi à Clos Toreau (4 place du Muguet Nantais) "
        "et le Vendredi à Nantes Nord (81 rue des Renards)"
    )
    result = extract_stops(comment, communes("44"))
    assert [(s.commune_name, s.visits[0]["weekdays"]) for s in result.stops] == [("Nantes", [4])]
    assert len(result.problems) == 2


def test_exclusions_urls_and_phones_are_ignored():
    comment = (
        "Joignable par téléphone (sauf lundi matin, mercredi après-midi) AUZITS : Lundi - après-midi "
        "SAUCLIERES et LAPANOUSE-DE-CERNON : Mardi semaines impaires. Contact 06.21.27.33.49 "
        "https://www.example.fr/lundi"
    )
    got = by_commune(comment, "12")
    assert got == {
        "Auzits": [([0], [AFTERNOON], None, None)],
        "Sauclières": [([1], [], None, "odd")],
        "Lapanouse-de-Cernon": [([1], [], None, "odd")],
    }


def test_unique_prefix_of_a_longer_commune_name():
    got = by_commune("vendredi : Bagnoles de l’Orne", "61")
    assert got == {"Bagnoles de l'Orne Normandie": [([4], [], None, None)]}


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        ("Bus Itinérant", "aucun jour ni lieu de passage reconnu dans « Bus Itinérant »"),
        (
            "Itinérance dans les mairies de Boquého, Bringolo, Cohiniac",
            "commune(s) citée(s) sans jour de passage : Boqueho, Bringolo, Cohiniac",
        ),
        (
            "Sur rendez-vous uniquement le jeudi et vendredi après-midi",
            "jour(s) de passage sans commune reconnue : « jeudi et vendredi après-midi »",
        ),
    ],
)
def test_what_cannot_be_read_is_reported(comment, problem):
    departement = "22" if "Boquého" in comment else "68"
    result = extract_stops(comment, communes(departement))
    assert result.stops == []
    assert result.problems == [problem]


def test_same_name_in_another_departement_is_not_used():
    # Monthois is in the Ardennes (08): not a commune of the Marne (51).
    result = extract_stops("lundi à la mairie de Monthois", communes("51"))
    assert result.stops == []


def test_names_sharing_a_key_resolved_by_the_nearest_to_the_home_base():
    def ref(code: str, name: str, lat: float, lon: float) -> CommuneRef:
        return CommuneRef(
            code, name, "commune-actuelle", "99", None, ("99000",), 100, lat, lon, "99", "metro"
        )

    names = CommuneNames([ref("99001", "Saint-Martin", 45.0, 1.0), ref("99002", "St Martin", 46.0, 2.0)])
    near_second = extract_stops("lundi : St-Martin", names, base=(45.9, 2.1))
    near_first = extract_stops("lundi : St-Martin", names, base=(45.1, 0.9))
    assert [s.insee_code for s in near_second.stops] == ["99002"]
    assert [s.insee_code for s in near_first.stops] == ["99001"]


def test_empty_comment():
    assert extract_stops(None, communes("08")).stops == []
    assert extract_stops("   ", communes("08")).problems == []


ROUEN_MEDIA_FORMATION = (  # site 3060, as the national list writes it
    "Les mardis matin à partir de 09h30 : Espace du Loup 4 Avenue Georges Bizet 76380 Canteleu, Les mardis "
    "Après-midi à partir du 14h00 : Maison du Citoyen Place Jean Prevost 76800 Saint-Etienne du Rouvray, "
    "Les mercredis matin à partir de 09h30 : Cailly Emploi  4 rue Victor Hugo 76960 Notre Dame de "
    "Bondeville, Les vendredis matin à partir de 09h30 : Maison  des services publics 76380 Canteleu,  "
    "Les vendredis après-midi : La Canopée rue Berrubé 76150 Maromme."
)


def test_a_venue_named_after_another_commune_is_not_a_stop():
    stops = by_commune(ROUEN_MEDIA_FORMATION, "76")
    assert "Cailly" not in stops  # « Cailly Emploi », a venue in Notre-Dame-de-Bondeville
    assert stops["Notre-Dame-de-Bondeville"] == [([2], [MORNING], None, None)]
    assert set(stops) == {"Canteleu", "Saint-Étienne-du-Rouvray", "Notre-Dame-de-Bondeville", "Maromme"}


def test_a_range_read_twice_gives_one_valid_range():
    # Site 2614: « jeudis après midi de 14h à 16h30 » also picks the afternoon's default hours; the
    # stop's rules must stay valid (no overlapping ranges), or its page cannot be served.
    comment = (
        "les jeudis après midi de 14h à 16h30 à la mairie de Gondreville "
        "vendredi après midi de 14h à 17h15 à la mairie de Dordives"
    )
    for ranges in (r for visits in by_commune(comment, "45").values() for _, r, _, _ in visits):
        assert all(before[1] <= after[0] for before, after in zip(ranges, ranges[1:], strict=False))
