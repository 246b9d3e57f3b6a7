"""Text helpers for French names: accent- and case-insensitive matching keys."""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def search_key(text: str) -> str:
    """``"Saint-Étienne"`` → ``"saint etienne"``; ``"St Étienne"`` → ``"saint etienne"``; ST, STE, STS and
    STES are Saint, Sainte, Saints, Saintes; apostrophes and hyphens are spaces."""
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = _NON_ALNUM.sub(" ", folded).split()
    expanded = [{"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}.get(w, w) for w in words]
    return " ".join(expanded)
