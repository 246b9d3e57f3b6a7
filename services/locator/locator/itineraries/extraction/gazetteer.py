"""The gazetteer: the communes of a département named in a sentence, with the venue (« mairie de X »)
and street that come with them."""

import bisect
import re
from collections.abc import Iterable
from itertools import pairwise

from locator.communes.repository import CommuneRef
from locator.geo import haversine_m
from locator.itineraries.extraction.lexer import WORD, Event, Kind
from locator.text import search_key

_MAX_NAME_WORDS = 7
_MAIRIE = re.compile(r"\b(mairie(?: annexe)?)\s+(?:de\s+(?:la\s+|l'|l’)?|du\s+|des\s+|d['’])$", re.IGNORECASE)
_IN_STREET = re.compile(
    r"\b(?:rue|place|avenue|av|bd|boulevard|chemin|route|all[ée]e|impasse|quai|square|esplanade|parking)"
    r"\s+(?:(?:du|de|des|de la|la|le|les|d'|d’)\s*)?$",
    re.IGNORECASE,
)
# Capitalised words that are not the name of a place (an unknown place splits the itinerary).
_NOT_PLACES = {
    "et",
    "ou",
    "de",
    "du",
    "des",
    "le",
    "la",
    "les",
    "au",
    "aux",
    "puis",
    "sur",
    "rdv",
    "tous",
    "toutes",
    "chaque",
    "semaine",
    "semaines",
    "sauf",
    "avec",
    "sans",
    "en",
    "un",
    "une",
    "fermé",
    "ferme",
}
_STREET = re.compile(
    r"^\s*\(\s*((?:rue|place|avenue|av\.?|bd|boulevard|chemin|route|all[ée]e|impasse|quai)\b[^)]*?)\s*\)",
    re.IGNORECASE,
)


class CommuneNames:
    """The communes of one département, by search key, for matching names found in text."""

    def __init__(self, communes: Iterable[CommuneRef]) -> None:
        self.by_key: dict[str, list[CommuneRef]] = {}
        for commune in communes:
            if commune.lat is not None and commune.kind != "arrondissement-municipal":
                self.by_key.setdefault(search_key(commune.name), []).append(commune)
        self._keys = sorted(self.by_key)

    def exact(self, key: str) -> list[CommuneRef]:
        return self.by_key.get(key, [])

    def unique_prefix(self, key: str) -> CommuneRef | None:
        """The one commune whose name starts with ``key``, if only one does."""

        start = bisect.bisect_left(self._keys, key)
        found = []
        for candidate in self._keys[start:]:
            if not candidate.startswith(key):
                break
            found.extend(self.by_key[candidate])
            if len(found) > 1:
                return None
        return found[0] if found else None


def find_places(
    sentence: str, taken: list[bool], communes: CommuneNames, base: tuple[float, float] | None
) -> list[Event]:
    """The places (communes) and unknown capitalised words among the characters no event ``taken``."""
    events: list[Event] = []
    words = [
        w for w in WORD.finditer(sentence) if not any(taken[w.start() : w.end()]) and not w.group().isdigit()
    ]
    i = 0
    while i < len(words):
        match = match_commune(sentence, words, i, communes, base)
        if match is None:
            word = words[i].group()
            if word[0].isupper() and len(word) > 1 and word.lower() not in _NOT_PLACES:
                events.append(Event(Kind.unknown, words[i].start(), words[i].end()))
            i += 1
            continue
        length, commune = match
        start, end = words[i].start(), words[i + length - 1].end()
        before = sentence[max(0, start - 30) : start]
        mairie = _MAIRIE.search(before)
        street = _STREET.match(sentence[end:])
        events.append(
            Event(
                Kind.place,
                start,
                end,
                commune=commune,
                name=f"{mairie.group(1).capitalize()} de {commune.name}" if mairie else commune.name,
                address=street.group(1) if street else None,
            )
        )
        i += length
    events.sort(key=lambda e: e.start)
    return without_venue_names(sentence, events)
    return events


_POSTCODE_BEFORE = re.compile(r"\b(\d{5})\s+$")


def without_venue_names(sentence: str, events: list[Event]) -> list[Event]:
    """A commune named right after one of its postcodes (« 76960 Notre Dame de Bondeville ») is where the
    bus stops: another commune name earlier in the same clause names the venue (« Cailly Emploi »), not
    the place. The same commune twice is one place: the first mention, with its venue, stays."""
    dropped: set[int] = set()
    places = [e for e in events if e.kind == Kind.place and e.commune is not None]
    for event in places:
        commune = event.commune
        postcode = _POSTCODE_BEFORE.search(sentence[max(0, event.start - 12) : event.start])
        if commune is None or not postcode or postcode.group(1) not in commune.postcodes:
            continue
        clause_start = max(sentence.rfind(separator, 0, event.start) for separator in ",;:") + 1
        earlier = [e for e in places if clause_start <= e.start < event.start]
        if any(e.commune == commune for e in earlier):
            dropped.add(id(event))
        else:
            dropped.update(id(e) for e in earlier)
    return [e for e in events if id(e) not in dropped]


def _adjacent(sentence: str, words: list[re.Match[str]]) -> bool:
    """The words follow each other, with only spaces, hyphens or apostrophes between them."""
    return not any(re.search(r"[^\s\-'’]", sentence[a.end() : b.start()]) for a, b in pairwise(words))


def match_commune(
    sentence: str,
    words: list[re.Match[str]],
    i: int,
    communes: CommuneNames,
    base: tuple[float, float] | None,
) -> tuple[int, CommuneRef] | None:
    if not words[i].group()[0].isupper() or _IN_STREET.search(
        sentence[max(0, words[i].start() - 30) : words[i].start()]
    ):
        return None
    for length in range(min(_MAX_NAME_WORDS, len(words) - i), 0, -1):
        chunk = words[i : i + length]
        if not _adjacent(sentence, chunk):
            continue
        key = search_key(" ".join(w.group() for w in chunk))
        found = communes.exact(key)
        if found:
            if len(found) > 1 and base is not None:
                return length, min(found, key=lambda c: haversine_m(base[0], base[1], c.lat, c.lon))  # type: ignore[arg-type]
            return length, found[0]
    for length in range(min(_MAX_NAME_WORDS, len(words) - i), 1, -1):
        chunk = words[i : i + length]
        if not _adjacent(sentence, chunk):
            continue
        commune = communes.unique_prefix(search_key(" ".join(w.group() for w in chunk)))
        if commune is not None:
            return length, commune
    return None
