"""Short French SMS texts, kept to one GSM 03.38 segment (160 characters) where possible."""

import unicodedata

# GSM 03.38 basic character set; the extension table (``^{}\[~]|€``) costs two characters each.
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€")
SEGMENT = 160


def to_gsm(text: str) -> str:
    """Replace what GSM 03.38 cannot carry (``ê``, ``ç``, ``’``…) by its nearest plain letter."""
    text = text.replace("’", "'").replace("œ", "oe").replace("Œ", "OE").replace("—", "-").replace("–", "-")
    text = text.replace("ç", "c").replace("\u202f", " ").replace("\xa0", " ")
    out = []
    for char in text:
        if char in _GSM_BASIC or char in _GSM_EXTENDED:
            out.append(char)
            continue
        plain = unicodedata.normalize("NFD", char)[0]
        out.append(plain if plain in _GSM_BASIC else "?")
    return "".join(out)


def gsm_length(text: str) -> int:
    return sum(2 if char in _GSM_EXTENDED else 1 for char in text)


def fit(template: str, place: str, **values: str) -> str:
    """``template`` filled in, the place name shortened if needed to stay within one segment."""
    text = to_gsm(template.format(place=place, **values))
    overflow = gsm_length(text) - SEGMENT
    if overflow > 0 and len(place) > 8:
        keep = max(8, len(place) - overflow - 1)
        text = to_gsm(template.format(place=place[:keep].rstrip() + ".", **values))
    return text
