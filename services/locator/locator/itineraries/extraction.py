"""Stops of a mobile service read from the free French text of its ``commentaire``.

A pure function: the comment, the site's département and its communes in, stops and a list of what
could not be understood out. How it reads the text:

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

import bisect
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise

from locator.communes.repository import CommuneRef
from locator.geo import haversine_m
from locator.text import search_key

MORNING = ("09:00", "12:00")
AFTERNOON = ("14:00", "17:00")
_MAX_NAME_WORDS = 7

_DAY_WORDS = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "vend": 4,
    "samedi": 5,
    "dimanche": 6,
}
_DAY_ABBREVIATIONS = {"lu": 0, "ma": 1, "me": 2, "je": 3, "ve": 4, "sa": 5}
_ORDINAL_WORDS = {
    "premier": 1,
    "premiere": 1,
    "deuxieme": 2,
    "second": 2,
    "seconde": 2,
    "troisieme": 3,
    "quatrieme": 4,
    "cinquieme": 5,
    "dernier": -1,
    "derniere": -1,
}

_DAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|vend|samedi|dimanche)s?"
_ORD = r"(?:[1-5]\s*(?:ere|er|re|eme|e|nd|nde)?|" + "|".join(_ORDINAL_WORDS) + r")"
_ORDS = rf"{_ORD}(?:\s*(?:et|,|&)\s*{_ORD})*"

# Patterns run on the folded text (lower case, no accents, same length as the original).
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("unsupported", re.compile(rf"\b1\s+{_DAY}\s*/\s*2\b|\bdernier jour du mois\b")),
    ("day_range", re.compile(rf"(?:\b(?:du|de)\s+)?\b(?P<a>{_DAY})\s+(?:au|a)\s+(?P<b>{_DAY})\b")),
    ("nth_week", re.compile(rf"\b(?P<ords>{_ORDS})\s*sem(?:aine)?s?\b")),
    ("nth_day", re.compile(rf"\b(?P<ords>{_ORDS})\s+(?P<day>{_DAY}|(?:lu|ma|me|je|ve|sa)(?=\s+du mois))\b")),
    ("nth_month", re.compile(rf"\b(?P<ords>{_ORDS})\s*(?:\w+\s+)?du mois\b")),
    ("parity", re.compile(r"\bsemaines?\s+(?P<parity>paire|impaire)s?\b")),
    (
        "time",
        re.compile(
            r"\b(?P<h1>\d{1,2})\s*(?:h|:)\s*(?P<m1>\d{2})?\s*(?:-|–|a|/)\s*"
            r"(?P<h2>\d{1,2})\s*(?:h|:)\s*(?P<m2>\d{2})?(?!\d)"
        ),
    ),
    ("half", re.compile(r"\b(?P<half>matin|apres[\s-]*midi)(?:s|ee|ees)?\b")),
    ("day", re.compile(rf"\b(?P<day>{_DAY})\b")),
    ("day", re.compile(r"\b(?P<abbr>lu|ma|me|je|ve|sa)\b(?=\s*(?::|du mois|semaine))")),
]
_NOISE = re.compile(
    r"(?:https?://|ttps?://|www\.)\S+|\S+@\S+|(?:\+33\s*|\b0)[1-9](?:[\s.\-]*\d{2}){4}\b"
    r"|\([^)]*\bsauf\b[^)]*\)",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"\.\s+|\n+|\.$")
_WORD = re.compile(r"[^\W_]+")
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


@dataclass(frozen=True)
class ExtractedStop:
    name: str
    insee_code: str
    commune_name: str
    lat: float
    lon: float
    address: str | None
    visits: list[dict]


@dataclass
class Extraction:
    stops: list[ExtractedStop] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


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


def fold(text: str) -> str:
    """Lower case without accents, one character for one, so that spans map back to ``text``."""
    out = []
    for char in text:
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append((base[:1] or char).lower())
    return "".join(out)


@dataclass
class _Event:
    kind: str  # day, time, nth_week, nth_month, parity, place, unsupported
    start: int
    end: int
    days: tuple[int, ...] = ()
    nth: tuple[int, ...] = ()
    ranges: tuple[tuple[str, str], ...] = ()
    parity: str | None = None
    commune: CommuneRef | None = None
    name: str | None = None
    address: str | None = None


def _ordinals(text: str) -> tuple[int, ...]:
    values = []
    for token in re.findall(r"[1-5]|[a-z]+", text):
        if token.isdigit():
            values.append(int(token))
        elif token in _ORDINAL_WORDS:
            values.append(_ORDINAL_WORDS[token])
    return tuple(sorted(set(values)))


def _day_index(word: str) -> int:
    if word in _DAY_ABBREVIATIONS:
        return _DAY_ABBREVIATIONS[word]
    return _DAY_WORDS[word[:-1] if word.endswith("s") and word[:-1] in _DAY_WORDS else word]


def _time_range(m: re.Match[str]) -> tuple[str, str] | None:
    h1, h2 = int(m["h1"]), int(m["h2"])
    m1, m2 = int(m["m1"] or 0), int(m["m2"] or 0)
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        return None
    start, end = f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"
    return (start, end) if start < end else None


def _scan(sentence: str, communes: CommuneNames, base: tuple[float, float] | None) -> list[_Event]:
    folded = fold(sentence)
    taken = [False] * len(sentence)
    events: list[_Event] = []

    def free(start: int, end: int) -> bool:
        return not any(taken[start:end])

    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            if not free(m.start(), m.end()):
                continue
            event = _Event(kind, m.start(), m.end())
            if kind == "day_range":
                a, b = _day_index(m["a"]), _day_index(m["b"])
                event.kind, event.days = "day", tuple(range(a, b + 1)) if a <= b else ()
            elif kind == "nth_day":
                event.kind, event.days, event.nth = "day", (_day_index(m["day"]),), _ordinals(m["ords"])
            elif kind in ("nth_week", "nth_month"):
                event.nth = _ordinals(m["ords"])
            elif kind == "parity":
                event.parity = "even" if m["parity"] == "paire" else "odd"
            elif kind == "time":
                time_range = _time_range(m)
                if time_range is None:
                    continue
                event.ranges = (time_range,)
            elif kind == "half":
                event.kind = "time"
                event.ranges = (MORNING if m["half"] == "matin" else AFTERNOON,)
            elif kind == "day":
                day = m.groupdict().get("day")
                event.days = (_day_index(day) if day else _DAY_ABBREVIATIONS[m["abbr"]],)
            for i in range(m.start(), m.end()):
                taken[i] = True
            events.append(event)

    words = [w for w in _WORD.finditer(sentence) if free(w.start(), w.end()) and not w.group().isdigit()]
    i = 0
    while i < len(words):
        match = _match_commune(sentence, words, i, communes, base)
        if match is None:
            word = words[i].group()
            if word[0].isupper() and len(word) > 1 and word.lower() not in _NOT_PLACES:
                events.append(_Event("unknown", words[i].start(), words[i].end()))
            i += 1
            continue
        length, commune = match
        start, end = words[i].start(), words[i + length - 1].end()
        before = sentence[max(0, start - 30) : start]
        mairie = _MAIRIE.search(before)
        street = _STREET.match(sentence[end:])
        events.append(
            _Event(
                "place",
                start,
                end,
                commune=commune,
                name=f"{mairie.group(1).capitalize()} de {commune.name}" if mairie else commune.name,
                address=street.group(1) if street else None,
            )
        )
        i += length
    events.sort(key=lambda e: e.start)
    return _without_venue_names(sentence, events)


_POSTCODE_BEFORE = re.compile(r"\b(\d{5})\s+$")


def _without_venue_names(sentence: str, events: list[_Event]) -> list[_Event]:
    """A commune named right after one of its postcodes (« 76960 Notre Dame de Bondeville ») is where the
    bus stops: another commune name earlier in the same clause names the venue (« Cailly Emploi »), not
    the place. The same commune twice is one place: the first mention, with its venue, stays."""
    dropped: set[int] = set()
    places = [e for e in events if e.kind == "place" and e.commune is not None]
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


def _match_commune(
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


@dataclass
class _Spec:
    """When: weekdays (each possibly limited to some weeks of the month), times, week parity."""

    days: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    ranges: list[tuple[str, str]] = field(default_factory=list)
    nth: tuple[int, ...] = ()
    parity: str | None = None
    unsupported: str | None = None

    def copy(self) -> "_Spec":
        return _Spec(list(self.days), list(self.ranges), self.nth, self.parity, self.unsupported)


@dataclass
class _Place:
    event: _Event
    override: _Spec = field(default_factory=_Spec)


@dataclass
class _Group:
    """Places and when they are visited; ``context`` holds what the sentence stated before it."""

    context: _Spec
    start: int
    end: int
    places: list[_Place] = field(default_factory=list)
    specs: list[_Spec] = field(default_factory=list)


def _merged(ranges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Time ranges in order, overlapping ones joined: a sentence read twice (« mardis matin de 8h30 à
    12h30 ») must not give two overlapping ranges, which the stop's rule model refuses."""
    merged: list[list[str]] = []
    for opens, closes in sorted(set(ranges)):
        if merged and opens < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], closes)
        else:
            merged.append([opens, closes])
    return merged


def _rules(group: _Group, spec: _Spec, override: _Spec) -> list[dict]:
    ranges = override.ranges or spec.ranges or group.context.ranges
    month_weeks = override.nth or spec.nth
    parity = override.parity or spec.parity
    by_weeks: dict[tuple[int, ...], list[int]] = {}
    for day, nth in spec.days:
        by_weeks.setdefault(nth or month_weeks, []).append(day)
    rules = []
    for weeks, days in by_weeks.items():
        rule: dict = {
            "weekdays": sorted(set(days)),
            "dates": [],
            "ranges": _merged(ranges),
            "valid_from": None,
            "valid_until": None,
        }
        if weeks:
            rule["weeks_of_month"] = list(weeks)
        if parity:
            rule["week_parity"] = parity
        rules.append(rule)
    return rules


_CONTINUES_DAYS = ("day", "time", "parity", "nth_month")


class _Reader:
    """Reads the events of one sentence into groups of places with when they are visited."""

    def __init__(self, sentence: str, events: list[_Event]) -> None:
        self.sentence = sentence
        self.events = events
        kinds = [e.kind for e in events if e.kind in ("day", "place", "unsupported")]
        self.day_first = bool(kinds) and kinds[0] != "place"
        self.groups: list[_Group] = []
        self.context = _Spec()
        self.group: _Group | None = None
        self.pending: list[tuple[str, str]] = []  # times stated for the places that follow
        self.time_target: list[tuple[str, str]] | None = None
        self.previous: str | None = None

    def read(self) -> list[_Group]:
        for e in self.events:
            if self.group is None and e.kind == "unknown":
                continue
            if self.group is None and e.kind not in ("day", "unsupported", "place"):
                self._sentence_qualifier(e)
            elif self.day_first:
                self._day_first(e)
            else:
                self._place_first(e)
            if self.group is not None:
                self.group.end = max(self.group.end, e.end)
            self.previous = e.kind
        return self.groups

    def _sentence_qualifier(self, e: _Event) -> None:
        if e.kind == "time":
            if self.previous != "time":
                self.context.ranges = []
            self.context.ranges += e.ranges
        elif e.kind == "parity":
            self.context.parity = e.parity
        elif e.kind in ("nth_week", "nth_month"):
            self.context.nth = e.nth

    def _new_group(self, e: _Event) -> _Group:
        self.group = _Group(context=self.context.copy(), start=e.start, end=e.end)
        self.groups.append(self.group)
        self.pending = []
        return self.group

    def _spec(self) -> _Spec:
        return _Spec(nth=self.context.nth, parity=self.context.parity)

    def _add_days(self, spec: _Spec, e: _Event) -> None:
        if e.kind == "unsupported":
            spec.unsupported = self.sentence[e.start : e.end]
        spec.days += [(d, e.nth) for d in e.days]

    def _add_time(self, target: list[tuple[str, str]], e: _Event) -> None:
        if self.previous == "time" and self.time_target is not None:
            target = self.time_target
        else:
            target.clear()
        target.extend(e.ranges)
        self.time_target = target

    def _day_first(self, e: _Event) -> None:
        group = self.group
        if e.kind in ("day", "unsupported"):
            if group is None or group.places or self.previous not in _CONTINUES_DAYS:
                group = self._new_group(e)
                group.specs.append(self._spec())
            self._add_days(group.specs[0], e)
            return
        assert group is not None
        spec = group.specs[0]
        if e.kind == "unknown" and self.previous == "unknown":
            group.places[-1].event.end = e.end
            return
        if e.kind in ("place", "unknown"):
            group.places.append(_Place(e, _Spec(ranges=list(self.pending))))
        elif e.kind == "nth_week":  # « 3ème sem du mois lundi … »: from here on
            self.context.nth = e.nth
            self.previous = None
        elif e.kind == "time":
            if self.previous == "time" or not group.places:
                self._add_time(spec.ranges, e)
            elif group.places[-1].override.ranges or spec.ranges:
                # The last place already has its times: these are for the places that follow.
                self._add_time(self.pending, e)
            else:
                self._add_time(group.places[-1].override.ranges, e)
        else:
            target = group.places[-1].override if group.places else spec
            if e.kind == "parity":
                target.parity = e.parity
            elif e.kind == "nth_month":
                target.nth = e.nth

    def _place_first(self, e: _Event) -> None:
        group = self.group
        if e.kind in ("place", "unknown"):
            if e.kind == "unknown" and self.previous == "unknown" and group is not None:
                group.places[-1].event.end = e.end
                return
            if group is None or group.specs:
                group = self._new_group(e)
            group.places.append(_Place(e))
            return
        assert group is not None
        last = group.specs[-1] if group.specs else None
        if e.kind in ("day", "unsupported"):
            if last is None or self.previous != "day":
                last = self._spec()
                group.specs.append(last)
            self._add_days(last, e)
            return
        if last is None:
            last = self._spec()
            group.specs.append(last)
        if e.kind == "time":
            self._add_time(last.ranges, e)
        elif e.kind == "parity":
            last.parity = e.parity
        else:
            last.nth = e.nth


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split()).strip(" ,;:-/")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def extract_stops(
    comment: str | None,
    communes: CommuneNames,
    base: tuple[float, float] | None = None,
) -> Extraction:
    """The stops described by ``comment``, with the communes of the site's département in ``communes``
    and the site's home base (lat, lon) to choose between homonyms; and what could not be read."""
    result = Extraction()
    if not comment or not comment.strip():
        return result
    text = _NOISE.sub(" ", comment)
    text = re.sub(r"\bs/\s*", "sur ", text)
    stops: dict[tuple[str, str], ExtractedStop] = {}
    undated: list[str] = []
    for sentence in _SENTENCE.split(text):
        if not sentence.strip():
            continue
        events = _scan(sentence, communes, base)
        for group in _Reader(sentence, events).read():
            _collect(sentence, group, stops, undated, result.problems)
    if undated:
        names = ", ".join(dict.fromkeys(undated))
        result.problems.append(f"commune(s) citée(s) sans jour de passage : {names}")
    result.stops = list(stops.values())
    if not result.stops and not result.problems:
        result.problems.append(f"aucun jour ni lieu de passage reconnu dans « {_clip(comment)} »")
    return result


def _collect(
    sentence: str,
    group: _Group,
    stops: dict[tuple[str, str], ExtractedStop],
    undated: list[str],
    problems: list[str],
) -> None:
    excerpt = _clip(sentence[group.start : group.end])
    specs = [s for s in group.specs if s.days or s.unsupported]
    known = [p for p in group.places if p.event.commune is not None]
    if not specs:
        undated += [p.event.commune.name for p in known]  # type: ignore[union-attr]
        return
    if not known:
        problems.append(f"jour(s) de passage sans commune reconnue : « {excerpt} »")
        return
    for place in group.places:
        override = place.override
        if place.event.commune is None and (override.ranges or override.nth or override.parity):
            text = _clip(sentence[place.event.start : place.event.end])
            problems.append(f"lieu non reconnu parmi les communes du département : « {text} »")
    for spec in specs:
        if spec.unsupported:
            problems.append(f"rythme non pris en charge (« {spec.unsupported} ») : « {excerpt} »")
    for place in known:
        commune = place.event.commune
        assert commune is not None and commune.lat is not None and commune.lon is not None
        rules = [r for s in specs if not s.unsupported for r in _rules(group, s, place.override)]
        if not rules:
            continue
        key = (commune.code_insee, place.event.name or commune.name)
        stop = stops.get(key)
        if stop is None:
            stop = stops[key] = ExtractedStop(
                name=key[1],
                insee_code=commune.code_insee,
                commune_name=commune.name,
                lat=commune.lat,
                lon=commune.lon,
                address=place.event.address,
                visits=[],
            )
        for rule in rules:
            if rule not in stop.visits:
                stop.visits.append(rule)


def communes_by_departement(communes: Iterable[CommuneRef]) -> Mapping[str, CommuneNames]:
    grouped: dict[str, list[CommuneRef]] = {}
    for commune in communes:
        grouped.setdefault(commune.departement, []).append(commune)
    return {dep: CommuneNames(refs) for dep, refs in grouped.items()}
