"""The reader: the events of one sentence read into groups of places and when they are visited (day
first, « lundi : Monthois », or place first, « Muron (mardi matin) »), and each group's visit rules."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from locator.itineraries.extraction.lexer import Event, Kind


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
    event: Event
    override: _Spec = field(default_factory=_Spec)


@dataclass
class Group:
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


def group_rules(group: Group, spec: _Spec, override: _Spec) -> list[dict]:
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


_CONTINUES_DAYS = (Kind.day, Kind.time, Kind.parity, Kind.nth_month)


class Reader:
    """Reads the events of one sentence into groups of places with when they are visited."""

    def __init__(self, sentence: str, events: list[Event]) -> None:
        self.sentence = sentence
        self.events = events
        kinds = [e.kind for e in events if e.kind in (Kind.day, Kind.place, Kind.unsupported)]
        self.day_first = bool(kinds) and kinds[0] != Kind.place
        self.groups: list[Group] = []
        self.context = _Spec()
        self.group: Group | None = None
        self.pending: list[tuple[str, str]] = []  # times stated for the places that follow
        self.time_target: list[tuple[str, str]] | None = None
        self.previous: str | None = None

    def read(self) -> list[Group]:
        for e in self.events:
            if self.group is None and e.kind == Kind.unknown:
                continue
            if self.group is None and e.kind not in (Kind.day, Kind.unsupported, Kind.place):
                self._sentence_qualifier(e)
            elif self.day_first:
                self._day_first(e)
            else:
                self._place_first(e)
            if self.group is not None:
                self.group.end = max(self.group.end, e.end)
            self.previous = e.kind
        return self.groups

    def _sentence_qualifier(self, e: Event) -> None:
        if e.kind == Kind.time:
            if self.previous != Kind.time:
                self.context.ranges = []
            self.context.ranges += e.ranges
        elif e.kind == Kind.parity:
            self.context.parity = e.parity
        elif e.kind in (Kind.nth_week, Kind.nth_month):
            self.context.nth = e.nth

    def _new_group(self, e: Event) -> Group:
        self.group = Group(context=self.context.copy(), start=e.start, end=e.end)
        self.groups.append(self.group)
        self.pending = []
        return self.group

    def _spec(self) -> _Spec:
        return _Spec(nth=self.context.nth, parity=self.context.parity)

    def _add_days(self, spec: _Spec, e: Event) -> None:
        if e.kind == Kind.unsupported:
            spec.unsupported = self.sentence[e.start : e.end]
        spec.days += [(d, e.nth) for d in e.days]

    def _add_time(self, target: list[tuple[str, str]], e: Event) -> None:
        if self.previous == Kind.time and self.time_target is not None:
            target = self.time_target
        else:
            target.clear()
        target.extend(e.ranges)
        self.time_target = target

    def _day_first(self, e: Event) -> None:
        group = self.group
        if e.kind in (Kind.day, Kind.unsupported):
            if group is None or group.places or self.previous not in _CONTINUES_DAYS:
                group = self._new_group(e)
                group.specs.append(self._spec())
            self._add_days(group.specs[0], e)
            return
        assert group is not None
        spec = group.specs[0]
        if e.kind == Kind.unknown and self.previous == Kind.unknown:
            group.places[-1].event.end = e.end
            return
        if e.kind in (Kind.place, Kind.unknown):
            group.places.append(_Place(e, _Spec(ranges=list(self.pending))))
        elif e.kind == Kind.nth_week:  # « 3ème sem du mois lundi … »: from here on
            self.context.nth = e.nth
            self.previous = None
        elif e.kind == Kind.time:
            if self.previous == Kind.time or not group.places:
                self._add_time(spec.ranges, e)
            elif group.places[-1].override.ranges or spec.ranges:
                # The last place already has its times: these are for the places that follow.
                self._add_time(self.pending, e)
            else:
                self._add_time(group.places[-1].override.ranges, e)
        else:
            target = group.places[-1].override if group.places else spec
            if e.kind == Kind.parity:
                target.parity = e.parity
            elif e.kind == Kind.nth_month:
                target.nth = e.nth

    def _place_first(self, e: Event) -> None:
        group = self.group
        if e.kind in (Kind.place, Kind.unknown):
            if e.kind == Kind.unknown and self.previous == Kind.unknown and group is not None:
                group.places[-1].event.end = e.end
                return
            if group is None or group.specs:
                group = self._new_group(e)
            group.places.append(_Place(e))
            return
        assert group is not None
        last = group.specs[-1] if group.specs else None
        if e.kind in (Kind.day, Kind.unsupported):
            if last is None or self.previous != Kind.day:
                last = self._spec()
                group.specs.append(last)
            self._add_days(last, e)
            return
        if last is None:
            last = self._spec()
            group.specs.append(last)
        if e.kind == Kind.time:
            self._add_time(last.ranges, e)
        elif e.kind == Kind.parity:
            last.parity = e.parity
        else:
            last.nth = e.nth
