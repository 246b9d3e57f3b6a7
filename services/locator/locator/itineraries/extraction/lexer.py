"""The lexer: the events of one sentence of a comment (weekdays, day ranges, times, half days, weeks of
the month, week parity), found on the folded text (lower case, no accents, same length as the original),
so that each event's span maps back to the sentence."""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from locator.communes.repository import CommuneRef

MORNING = ("09:00", "12:00")
AFTERNOON = ("14:00", "17:00")

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


class Kind(StrEnum):
    """What an event of a sentence is."""

    day = "day"
    day_range = "day_range"  # read as a day event covering the range
    nth_day = "nth_day"  # read as a day event with weeks of the month
    nth_week = "nth_week"
    nth_month = "nth_month"
    parity = "parity"
    time = "time"
    half = "half"  # read as a time event: matin, après-midi
    place = "place"  # a commune (the gazetteer's)
    unknown = "unknown"  # a capitalised word that is no commune: splits the itinerary
    unsupported = "unsupported"  # a rhythm we do not read (« 1 lundi / 2 »)


# Patterns run on the folded text (lower case, no accents, same length as the original).
_PATTERNS: list[tuple[Kind, re.Pattern[str]]] = [
    (Kind.unsupported, re.compile(rf"\b1\s+{_DAY}\s*/\s*2\b|\bdernier jour du mois\b")),
    (Kind.day_range, re.compile(rf"(?:\b(?:du|de)\s+)?\b(?P<a>{_DAY})\s+(?:au|a)\s+(?P<b>{_DAY})\b")),
    (Kind.nth_week, re.compile(rf"\b(?P<ords>{_ORDS})\s*sem(?:aine)?s?\b")),
    (
        Kind.nth_day,
        re.compile(rf"\b(?P<ords>{_ORDS})\s+(?P<day>{_DAY}|(?:lu|ma|me|je|ve|sa)(?=\s+du mois))\b"),
    ),
    (Kind.nth_month, re.compile(rf"\b(?P<ords>{_ORDS})\s*(?:\w+\s+)?du mois\b")),
    (Kind.parity, re.compile(r"\bsemaines?\s+(?P<parity>paire|impaire)s?\b")),
    (
        Kind.time,
        re.compile(
            r"\b(?P<h1>\d{1,2})\s*(?:h|:)\s*(?P<m1>\d{2})?\s*(?:-|–|a|/)\s*"
            r"(?P<h2>\d{1,2})\s*(?:h|:)\s*(?P<m2>\d{2})?(?!\d)"
        ),
    ),
    (Kind.half, re.compile(r"\b(?P<half>matin|apres[\s-]*midi)(?:s|ee|ees)?\b")),
    (Kind.day, re.compile(rf"\b(?P<day>{_DAY})\b")),
    (Kind.day, re.compile(r"\b(?P<abbr>lu|ma|me|je|ve|sa)\b(?=\s*(?::|du mois|semaine))")),
]
NOISE = re.compile(
    r"(?:https?://|ttps?://|www\.)\S+|\S+@\S+|(?:\+33\s*|\b0)[1-9](?:[\s.\-]*\d{2}){4}\b"
    r"|\([^)]*\bsauf\b[^)]*\)",
    re.IGNORECASE,
)
SENTENCE = re.compile(r"\.\s+|\n+|\.$")
WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents, one character for one, so that spans map back to ``text``."""
    out = []
    for char in text:
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append((base[:1] or char).lower())
    return "".join(out)


@dataclass
class Event:
    kind: Kind
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


def scan_tokens(sentence: str) -> tuple[list[Event], list[bool]]:
    """The events of ``sentence`` other than places, and which of its characters they took."""
    folded = fold(sentence)
    taken = [False] * len(sentence)
    events: list[Event] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            if any(taken[m.start() : m.end()]):
                continue
            event = Event(kind, m.start(), m.end())
            if kind == Kind.day_range:
                a, b = _day_index(m["a"]), _day_index(m["b"])
                event.kind, event.days = Kind.day, tuple(range(a, b + 1)) if a <= b else ()
            elif kind == Kind.nth_day:
                event.kind, event.days, event.nth = Kind.day, (_day_index(m["day"]),), _ordinals(m["ords"])
            elif kind in (Kind.nth_week, Kind.nth_month):
                event.nth = _ordinals(m["ords"])
            elif kind == Kind.parity:
                event.parity = "even" if m["parity"] == "paire" else "odd"
            elif kind == Kind.time:
                time_range = _time_range(m)
                if time_range is None:
                    continue
                event.ranges = (time_range,)
            elif kind == Kind.half:
                event.kind = Kind.time
                event.ranges = (MORNING if m["half"] == "matin" else AFTERNOON,)
            elif kind == Kind.day:
                day = m.groupdict().get("day")
                event.days = (_day_index(day) if day else _DAY_ABBREVIATIONS[m["abbr"]],)
            for i in range(m.start(), m.end()):
                taken[i] = True
            events.append(event)
    return events, taken
