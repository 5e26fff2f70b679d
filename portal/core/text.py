"""Cleaning of typed text and the search tokens lists match against."""
import re
import unicodedata

# Control characters (NUL included, which PostgreSQL refuses in text) except tab and newlines,
# and the bidi overrides that make a name display differently from how it sorts and searches.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]")


def clean_text(value):
    """NFC-normalise, drop control characters and trim; leaves non-strings alone."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value)
    return _CONTROL.sub("", value).strip()


def search_key(*parts) -> str:
    """One lower-cased, width-folded string of the given parts, for substring search.

    NFKC folds full-width letters and digits (ＡＢＣ１２３, common in Chinese input methods)
    to their ASCII forms, so a search typed either way finds the same records.
    """
    text = " ".join(p for p in parts if p)
    return unicodedata.normalize("NFKC", text).casefold()


def search_term(value: str | None, limit: int = 100) -> str:
    """A user's search box value made comparable with search_key()."""
    return search_key(clean_text(value or "")[:limit])


def like_pattern(term: str) -> str:
    """A LIKE pattern that matches term literally anywhere (escape char: backslash)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
