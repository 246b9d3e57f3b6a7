"""Builds ``data/communes_old_names.csv`` from the official commune code lists of
``@etalab/decoupage-administratif`` (INSEE's Code officiel géographique), several vintages:

    cd "$(mktemp -d)" && for v in 0.3.0 2.0.0 4.0.0 6.0.0; do
        mkdir "$v" && (cd "$v" && npm pack "@etalab/decoupage-administratif@$v" && tar xzf ./*.tgz); done
    python services/locator/data/build_old_names.py "$PWD" > services/locator/data/communes_old_names.csv

Each row: a name that is no longer a current commune's (commune déléguée, associée, absorbée, or the
former name of a commune since merged or renamed), its code then, and the current commune that took
it over (followed through ``chefLieu``, ``communeAbsorbante``, ``nouveauCode`` and the current
vintage's ``anciensCodes``).
"""

import csv
import json
import sys
import unicodedata
from pathlib import Path

VINTAGES = ("0.3.0", "2.0.0", "4.0.0", "6.0.0")


def key(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in folded).split())


def main(root: Path) -> None:
    current = json.loads((root / VINTAGES[-1] / "package/data/communes.json").read_text(encoding="utf-8"))
    actual = {c["code"]: c for c in current if c["type"] == "commune-actuelle"}
    former = {old: c["code"] for c in actual.values() for old in c.get("anciensCodes", ())}

    def resolve(code: str | None, seen: frozenset = frozenset()) -> str | None:
        if code is None or code in seen:
            return None
        if code in actual:
            return code
        return resolve(former.get(code), seen | {code})

    rows: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for vintage in VINTAGES:
        for c in json.loads((root / vintage / "package/data/communes.json").read_text(encoding="utf-8")):
            if c["type"] == "arrondissement-municipal":
                continue
            target = c.get("chefLieu") or c.get("communeAbsorbante") or c.get("nouveauCode") or c["code"]
            now = resolve(target) or resolve(c["code"])
            if now is None or key(c["nom"]) == key(actual[now]["nom"]):
                continue
            kind = c["type"] if c["type"] != "commune-actuelle" else "ancien-nom"
            rows.setdefault((key(c["nom"]), now), (c["nom"], c["code"], now, f"{kind} ({vintage})"))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(("nom", "code", "commune_actuelle", "origine"))
    writer.writerows(sorted(rows.values(), key=lambda r: (r[2], key(r[0]))))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
