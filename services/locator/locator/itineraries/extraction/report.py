"""The extraction of a comment's stops, and the report of what could not be read."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from locator.communes.repository import CommuneRef
from locator.itineraries.extraction.gazetteer import CommuneNames, find_places, without_venue_names
from locator.itineraries.extraction.lexer import NOISE, SENTENCE, Event, scan_tokens
from locator.itineraries.extraction.reader import Group, Reader, group_rules


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


def scan(sentence: str, communes: CommuneNames, base: tuple[float, float] | None) -> list[Event]:
    """Every event of ``sentence``, places included, in order."""
    events, taken = scan_tokens(sentence)
    events += find_places(sentence, taken, communes, base)
    events.sort(key=lambda e: e.start)
    return without_venue_names(sentence, events)


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
    text = NOISE.sub(" ", comment)
    text = re.sub(r"\bs/\s*", "sur ", text)
    stops: dict[tuple[str, str], ExtractedStop] = {}
    undated: list[str] = []
    for sentence in SENTENCE.split(text):
        if not sentence.strip():
            continue
        events = scan(sentence, communes, base)
        for group in Reader(sentence, events).read():
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
    group: Group,
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
        rules = [r for s in specs if not s.unsupported for r in group_rules(group, s, place.override)]
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
