"""The travel model against real car durations: ``data/road_durations.csv``, published by route
planners and travel guides (each row names its source; data/README.md states which sources are
admitted). ``tests/test_travel_calibration.py`` holds the model to it and ``make bench`` prints the same
figures.

Each end of a reference trip is placed where route planners start and end a trip between two towns,
their centre: the first fixed France Services of the commune in the national list when it has one
(they sit in town centres), else the commune's centre (geo.api.gouv.fr), which in the vast communes of
Guyane can lie tens of kilometres from the town.
"""

import csv
import statistics
from dataclasses import dataclass
from pathlib import Path

from locator.communes.importer import read_refs
from locator.geo import haversine_m
from locator.travel.model import TravelModel

# The targets of issue 12, printed by ``make bench`` and asserted by ``tests/test_travel_calibration.py``.
# The reference keeps only the rows its inclusion rule admits (data/README.md).
MIN_TRIPS = 60  # rows of the reference
MAX_MEDIAN_ERROR = 0.15  # median absolute error
MIN_WITHIN_25 = 0.80  # share of trips within ±25 %
MAX_CLASS_BIAS = 0.10  # median signed error of any reference class
MIN_CLASS_TRIPS = 5  # a class's bias is judged from this many rows


@dataclass(frozen=True)
class Trip:
    origin_insee: str
    origin: str
    destination_insee: str
    destination: str
    minutes: float
    reference_class: str
    source_kind: str  # route-planner, routing-engine, official or guide (data/README.md)
    source_url: str


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    population: int
    departement: str
    zone: str


@dataclass(frozen=True)
class Estimate:
    trip: Trip
    straight_km: float
    minutes: float

    @property
    def error(self) -> float:
        """Signed relative error of the estimate: +0.10 is 10 % too long."""
        return self.minutes / self.trip.minutes - 1


@dataclass(frozen=True)
class Calibration:
    estimates: list[Estimate]
    median_abs_error: float
    within_25: float
    bias_by_class: dict[str, float]  # median signed error per reference class
    trips_by_class: dict[str, int]

    @property
    def judged_bias(self) -> dict[str, float]:
        """The biases of the classes with enough rows to judge (``MIN_CLASS_TRIPS``)."""
        return {c: b for c, b in self.bias_by_class.items() if self.trips_by_class[c] >= MIN_CLASS_TRIPS}

    def lines(self) -> list[str]:
        """The figures, as ``make bench`` prints them, each next to its target."""

        def mark(ok: bool) -> str:
            return "met" if ok else "NOT met"

        lines = [
            f"reference trips: {len(self.estimates)} (data/road_durations.csv; "
            f"target at least {MIN_TRIPS}: {mark(len(self.estimates) >= MIN_TRIPS)})",
            f"median absolute error: {self.median_abs_error:.1%} "
            f"(target at most {MAX_MEDIAN_ERROR:.0%}: {mark(self.median_abs_error <= MAX_MEDIAN_ERROR)})",
            f"within ±25 %: {self.within_25:.1%} "
            f"(target at least {MIN_WITHIN_25:.0%}: {mark(self.within_25 >= MIN_WITHIN_25)})",
        ]
        for name, bias in sorted(self.bias_by_class.items()):
            trips = self.trips_by_class[name]
            verdict = (
                mark(abs(bias) <= MAX_CLASS_BIAS)
                if trips >= MIN_CLASS_TRIPS
                else f"fewer than {MIN_CLASS_TRIPS} trips, not judged"
            )
            lines.append(
                f"  bias {name:<14} {bias:+.1%} over {trips} trips "
                f"(target at most ±{MAX_CLASS_BIAS:.0%}: {verdict})"
            )
        for kind in sorted({e.trip.source_kind for e in self.estimates}):
            errors = [e.error for e in self.estimates if e.trip.source_kind == kind]
            within = sum(abs(x) <= 0.25 for x in errors) / len(errors)
            lines.append(
                f"  source {kind:<14} {statistics.median(errors):+.1%} median error over {len(errors)} "
                f"trips, {within:.0%} within ±25 %"
            )
        overseas = [e for e in self.estimates if e.trip.origin_insee.startswith("97")]
        for departement in sorted({e.trip.origin_insee[:3] for e in overseas}):
            errors = [e.error for e in overseas if e.trip.origin_insee[:3] == departement]
            median = statistics.median(errors)
            lines.append(f"    overseas {departement}: {len(errors)} trips, median error {median:+.1%}")
        return lines


def read_trips(path: Path) -> list[Trip]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Trip(
                origin_insee=r["origin_insee"],
                origin=r["origin"],
                destination_insee=r["destination_insee"],
                destination=r["destination"],
                minutes=float(r["minutes"]),
                reference_class=r["reference_class"],
                source_kind=r["source_kind"],
                source_url=r["source_url"],
            )
            for r in csv.DictReader(f)
        ]


def read_places(communes_csv: Path, sites_csv: Path) -> dict[str, Place]:
    """Every commune of the vendored table, placed at its first fixed France Services if it has one."""
    town_centres: dict[str, tuple[float, float]] = {}
    with sites_csv.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["format_fs"] == "Fixe" and r["latitude"] and r["longitude"]:
                town_centres.setdefault(r["insee_com"], (float(r["latitude"]), float(r["longitude"])))
    places = {}
    for ref in read_refs(communes_csv):
        if ref.kind != "commune-actuelle" or ref.lat is None or ref.lon is None:
            continue
        lat, lon = town_centres.get(ref.code_insee, (ref.lat, ref.lon))
        places[ref.code_insee] = Place(lat, lon, ref.population, ref.departement, ref.zone)
    return places


def calibrate(model: TravelModel, trips: list[Trip], places: dict[str, Place]) -> Calibration:
    estimates = []
    for trip in trips:
        a, b = places[trip.origin_insee], places[trip.destination_insee]
        metres = haversine_m(a.lat, a.lon, b.lat, b.lon)
        minutes = model.estimate_minutes(
            metres,
            model.classify(a.population, a.departement, a.zone),
            model.classify(b.population, b.departement, b.zone),
        )
        estimates.append(Estimate(trip, metres / 1000, minutes))
    errors = [e.error for e in estimates]
    classes = sorted({e.trip.reference_class for e in estimates})
    return Calibration(
        estimates=estimates,
        median_abs_error=statistics.median(abs(x) for x in errors),
        within_25=sum(abs(x) <= 0.25 for x in errors) / len(errors),
        bias_by_class={
            c: statistics.median(e.error for e in estimates if e.trip.reference_class == c) for c in classes
        },
        trips_by_class={c: sum(e.trip.reference_class == c for e in estimates) for c in classes},
    )
