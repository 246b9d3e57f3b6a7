"""The offline geocoder: what people type, read against the commune table held in memory.

It answers at commune precision (``precision: "municipality"``) and understands:

- a full postal address: number, street, complement, postcode, commune, ``CEDEX`` and its number,
  ``BP``/``CS``/``TSA`` box numbers: the postcode and the commune are found in it, the rest ignored;
- a postcode restricts the answer to the communes of that postcode (so ``63240 Le Mont-Dore`` is the
  one of the Puy-de-Dôme); an unknown one (a CEDEX code) to its département;
- case, accents, apostrophes, hyphens and the abbreviations ST, STE, STS, STES do not matter
  (``locator.text.search_key``);
- small typos are forgiven (``rapidfuzz``: a similarity of at least ``FUZZY_CUTOFF`` over the name);
- old names (communes déléguées, associées, absorbées, former names of merged communes) answer the
  commune that took them over (``data/communes_old_names.csv``, from the official code lists).

One per worker, part of its snapshot of the tables and reloaded with it when the commune table changes
(``locator/snapshot/``).
"""

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from locator.communes.repository import CommuneRef
from locator.data_files import OLD_NAMES_CSV
from locator.text import search_key

FUZZY_CUTOFF = 85.0  # rapidfuzz ratio (0-100) for a typo to be forgiven
MAX_NAME_WORDS = 8  # the longest commune names, in words (Saint-Martin-de-…)

_POSTCODE = re.compile(r"(?<![0-9A-Za-z])(\d{5}|2[AB]\d{3})(?![0-9A-Za-z])")
_BOXES = re.compile(r"\b(?:cedex|bp|cs|tsa)\b\s*\d*", re.IGNORECASE)
_NUMBER = re.compile(r"^\d+[a-z]?$")


@dataclass(frozen=True)
class Found:
    commune: CommuneRef
    postcode: str | None
    score: float
    former_name: str | None = None  # the old name the query used, when it did


@lru_cache
def old_names(path: Path = OLD_NAMES_CSV) -> tuple[tuple[str, str], ...]:
    """(old name, current commune code) of the vendored file, read once per process."""
    with path.open(encoding="utf-8", newline="") as f:
        return tuple((row["nom"], row["commune_actuelle"]) for row in csv.DictReader(f))


class Gazetteer:
    def __init__(self, communes: list[CommuneRef]) -> None:
        self._communes = [c for c in communes if c.lat is not None and c.lon is not None]
        position = {c.code_insee: i for i, c in enumerate(self._communes)}
        by_postcode: dict[str, list[int]] = defaultdict(list)
        self._names: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
        for i, c in enumerate(self._communes):
            for postcode in c.postcodes:
                by_postcode[postcode].append(i)
            self._names[search_key(c.name)].append((i, None))
        self._former: dict[int, list[tuple[str, str]]] = defaultdict(list)  # commune → its old names
        for name, code in old_names():
            if code in position:
                self._former[position[code]].append((search_key(name), name))
                if search_key(name) not in self._names:  # a current name wins over an old one
                    self._names[f"~{search_key(name)}"].append((position[code], name))
        # In Paris, Lyon and Marseille the arrondissement is the precise answer for its postcode.
        self._by_postcode = {
            p: sorted(
                ids,
                key=lambda i: (
                    self._communes[i].kind != "arrondissement-municipal",
                    -self._communes[i].population,
                ),
            )
            for p, ids in by_postcode.items()
        }
        self._keys = sorted(self._names)

    def __len__(self) -> int:
        return len(self._communes)

    def _named(self, key: str) -> list[tuple[int, str | None]]:
        """Current communes named ``key``, else those that once had that name."""
        return self._names.get(key) or self._names.get(f"~{key}", [])

    def find(self, query: str, limit: int) -> list[Found]:
        text = _BOXES.sub(" ", query)
        postcodes = _POSTCODE.findall(text)
        known = [p for p in postcodes if p in self._by_postcode]
        if known:
            return self._with_postcode(text, known[-1], limit)
        words = search_key(_POSTCODE.sub(" ", text)).split()
        departement = None
        if postcodes:  # a CEDEX or unknown code still says the département
            code = postcodes[-1]
            departement = code[:3] if code.startswith("97") else code[:2]
        return self._by_name(words, departement, limit)

    def _with_postcode(self, text: str, postcode: str, limit: int) -> list[Found]:
        """The communes of ``postcode``, the one the query names first."""
        candidates = self._by_postcode[postcode]
        before, _, after = text.rpartition(postcode)
        wanted = search_key(after) or search_key(before)
        best, best_score, former = None, 0.0, None
        if wanted:
            for i in candidates:
                c = self._communes[i]
                names: list[tuple[str, str | None]] = [(search_key(c.name), None), *self._former.get(i, [])]
                for key, old in names:
                    score = _name_score(key, wanted)
                    if c.kind == "arrondissement-municipal" and key.startswith(wanted + " "):
                        score = 102.0  # "75012 Paris": the arrondissement is more precise than Paris
                    if score > best_score:
                        best, best_score, former = i, score, old
        if best is not None and best_score >= 100:
            return self._first(best, postcode, candidates, 1.0, former, limit)
        if wanted:
            # A name that is not one of the postcode's communes: a mistyped postcode is more likely than a
            # wrong name. The exact name in the postcode's département, then anywhere.
            departement = self._communes[candidates[0]].departement
            for scope in (departement, None):
                found = self._exact(wanted.split(), scope, limit)
                if found:
                    return found
        if best is not None and best_score >= FUZZY_CUTOFF:
            return self._first(best, postcode, candidates, round(best_score / 100 * 0.9, 3), former, limit)
        return [
            Found(self._communes[i], postcode, 1.0 if n == 0 else 0.8)
            for n, i in enumerate(candidates[:limit])
        ]

    def _first(
        self, best: int, postcode: str, candidates: list[int], score: float, former: str | None, limit: int
    ) -> list[Found]:
        rest = [i for i in candidates if i != best]
        found = [Found(self._communes[best], postcode, score, former)]
        return found + [Found(self._communes[i], postcode, 0.5) for i in rest[: limit - 1]]

    def _allowed(self, i: int, departement: str | None) -> bool:
        return departement is None or self._communes[i].departement == departement

    def _exact(self, words: list[str], departement: str | None, limit: int) -> list[Found]:
        """The commune named exactly (or by an old name) by the last words of the query: an address ends
        with its commune."""
        for n in range(min(len(words), MAX_NAME_WORDS), 0, -1):
            key = " ".join(words[-n:])
            if n == 1 and _NUMBER.match(key):
                break
            entries = [(i, old) for i, old in self._named(key) if self._allowed(i, departement)]
            if entries:
                entries.sort(key=lambda e: -self._communes[e[0]].population)
                return [
                    Found(self._communes[i], None, 1.0 if old is None else 0.95, old)
                    for i, old in entries[:limit]
                ]
        return []

    def _by_name(self, words: list[str], departement: str | None, limit: int) -> list[Found]:
        """The commune named by the end of the query, exactly, by an old name, by the start of its name,
        or with a small typo; in ``departement`` first when the query gave one."""
        words = [w for w in words if w]
        if not words:
            return []
        scopes = (departement, None) if departement else (None,)
        for scope in scopes:
            found = self._exact(words, scope, limit)
            if found:
                return found
        whole = " ".join(words)
        if len(whole) >= 3:
            starting = [
                i for key in self._keys if key.startswith(whole) for i, old in self._names[key] if old is None
            ]
            if starting:
                starting.sort(key=lambda i: -self._communes[i].population)
                return [Found(self._communes[i], None, 0.6) for i in starting[:limit]]
        for scope in scopes:
            for n in range(min(len(words), MAX_NAME_WORDS), 0, -1):
                key = " ".join(words[-n:])
                if len(key) < 5:
                    continue
                matches = process.extract(
                    key, self._keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
                )
                for match, score, _ in matches:
                    entries = [(i, old) for i, old in self._names[match] if self._allowed(i, scope)]
                    if entries:
                        i, old = max(entries, key=lambda e: self._communes[e[0]].population)
                        return [Found(self._communes[i], None, round(score / 100 * 0.9, 3), old)]
        return []


def _name_score(name: str, wanted: str) -> float:
    """How well ``wanted`` (what follows the postcode) names ``name``: 100 when equal or when one starts
    with the other (``paris`` for ``paris 12e arrondissement``), else rapidfuzz's similarity."""
    if name == wanted:
        return 101.0
    if wanted.startswith(name + " ") or name.startswith(wanted + " "):
        return 100.0
    return fuzz.ratio(name, wanted)
