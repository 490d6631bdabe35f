"""Direct identifiers that refuse a drop (contract §4): column names and 個人番号 values."""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from kizuki.contract import schema

_SEPARATORS = re.compile(r"[\s_\-・]+")
#: names that contain an identifier word but are not identifiers
_ALLOWED = {"personid", "householdid", "district", "個人id", "世帯id", "地区"}
#: Latin words matched as whole tokens only (``name`` must not hit ``filename``-like
#: contract columns; ``tel`` must not hit ``hotel``)
_LATIN_TOKENS = {
    "name",
    "fullname",
    "firstname",
    "lastname",
    "address",
    "addr",
    "phone",
    "tel",
    "telephone",
    "mynumber",
    "atenabango",
    "atena",
}


def _fold(name: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", name).strip().lower())


def is_identifier_column(name: str) -> bool:
    """True when a column header names a direct identifier (氏名, 住所, phone, my_number, …).

    Japanese words match anywhere in the folded name (``氏名カナ``, ``現住所``); Latin
    words match as whole tokens split on separators and case (``home_address``,
    ``phoneNo``, ``my_number``), so ``household_id`` and ``district`` never match.
    """
    folded = _fold(name)
    if folded in _ALLOWED:
        return False
    for word in schema.IDENTIFIER_COLUMN_WORDS:
        w = _fold(word)
        if not w.isascii() and w in folded:
            return True
    # Latin: split camelCase and separators into tokens, also test joined neighbours
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", unicodedata.normalize("NFKC", name))
    tokens = [t for t in re.split(r"[^A-Za-z]+", spaced.lower()) if t]
    joined = {
        "".join(tokens[i:j]) for i in range(len(tokens)) for j in range(i + 1, len(tokens) + 1)
    }
    return bool(joined & _LATIN_TOKENS) or folded in _LATIN_TOKENS


def my_number_check_digit(first11: str) -> int:
    """Check digit of a 個人番号 from its first 11 digits (contract §4).

    P_n is the n-th digit counted from the right of the 11; Q_n = n + 1 for n ≤ 6 and
    n − 5 for n ≥ 7; the digit is 11 − (Σ P_n·Q_n mod 11), or 0 when the remainder is 0 or 1.
    """
    total = 0
    for n in range(1, 12):
        p = int(first11[11 - n])
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    r = total % 11
    return 0 if r <= 1 else 11 - r


def is_my_number(value: str) -> bool:
    """True when ``value`` is a valid 個人番号: 12 digits (optionally 4-4-4 separated,
    full-width allowed) whose last digit is the check digit."""
    s = unicodedata.normalize("NFKC", value).strip()
    s = re.sub(r"^(\d{4})[\s\-](\d{4})[\s\-](\d{4})$", r"\1\2\3", s)
    if len(s) != 12 or not s.isdigit() or not s.isascii():
        return False
    return my_number_check_digit(s[:11]) == int(s[11])


_CANDIDATE = r"^\s*[0-9０-９]{4}[\s\-－]?[0-9０-９]{4}[\s\-－]?[0-9０-９]{4}\s*$"


def count_my_numbers(values: pl.Series) -> int:
    """How many entries of a string Series are valid 個人番号 (cheap regex pre-filter,
    then the check digit on the distinct candidates only)."""
    cand = values.filter(values.str.contains(_CANDIDATE))
    if cand.len() == 0:
        return 0
    counts = cand.value_counts()
    name = values.name
    hits = [is_my_number(v) for v in counts[name].to_list()]
    return int(counts.filter(pl.Series(hits))["count"].sum())
