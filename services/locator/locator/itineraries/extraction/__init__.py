"""Stops of a mobile service read from the free French text of its ``commentaire``.

Pure functions, in four modules along the way it reads (``lexer``, ``gazetteer``, ``reader``, ``report``):
the comment, the site's département and its communes in, stops and a list of what could not be
understood out. How it reads the text:

1. URLs, e-mails, phone numbers and exclusions in brackets (« sauf lundi matin ») are dropped; the
   text is cut into sentences.
2. In each sentence it finds, in order: weekdays (``lundi``, ``lundis``, ``vend``, ``Lu :``…),
   weekday ranges (``du lundi au vendredi``), time ranges (``de 09H00 à 12H00``, ``9h-12h``,
   ``9h30/15h30``), half days (``matin`` = 09:00-12:00, ``après-midi`` = 14:00-17:00), weeks of the
   month (``1er mardi``, ``2e et 4e semaine``, ``(1er et 3ème du mois)``), week parity (``semaines
   paires``), and communes of the same département (capitalised, accents, case, hyphens and
   ``St``/``Ste`` ignored; the longest name wins; a name of two words or more may be the start of a
   unique commune name, e.g. « Bagnoles de l'Orne » → Bagnoles de l'Orne Normandie).
3. A sentence is read *day first* (« lundi : Monthois, mardi : Machault ») or *place first*
   (« Breuil Magné (lundi matin), Muron (mardi matin) ») depending on which comes first. Times and
   qualifiers attach to the nearest day or place they follow.

A stop is made of each commune with at least one weekday; its location is the commune centre and its
name « Mairie de X » when the text says « mairie de X », else the commune name.
"""

from locator.itineraries.extraction.gazetteer import CommuneNames
from locator.itineraries.extraction.lexer import AFTERNOON, MORNING
from locator.itineraries.extraction.report import (
    ExtractedStop,
    Extraction,
    communes_by_departement,
    extract_stops,
)

__all__ = [
    "AFTERNOON",
    "MORNING",
    "CommuneNames",
    "ExtractedStop",
    "Extraction",
    "communes_by_departement",
    "extract_stops",
]
