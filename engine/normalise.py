"""Pure normalisers that turn raw extracted spans into canonical field values.

Rules find spans of article text; these functions decide what a span *means*.
They are deliberately conservative: a normaliser that cannot be sure returns
``None`` rather than a plausible-looking guess, because a wrong date or name in
an extracted event is worse than a missing one.

Everything here is a small pure function of its arguments (no clock, no locale),
so results are reproducible and the article's publication date is the only
anchor for relative phrases such as "Thursday" or "yesterday".

Uses the standard-library ``re`` rather than ``regex``: nothing here needs the
extra features, and ``regex`` ships no type information, which would break
``mypy --strict``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType

__all__ = ["NORMALISERS", "normalise_date", "normalise_name"]

_Normaliser = Callable[[str, datetime.date | None], str | None]

# --------------------------------------------------------------------------- dates

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY_FULL = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_WEEKDAY_ANY = _WEEKDAY_FULL + r"|(?:mon|tues?|wed|thur?s?|fri|sat|sun)\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_QUALIFIER = r"(?:(?:early|late|earlier|later)(?:\s+on)?\s+)?"
_PART_OF_DAY = r"(?:\s+(?:morning|afternoon|evening|night))?"

_LEADING_WORDS = re.compile(r"^(?:(?:on|in|at|by|since|until|till|from|as\s+of|the)\s+)+")
_SURROUNDING = " \t\"'“”«»()[]{},;:!?"

_RELATIVE_DAY = re.compile(
    _QUALIFIER
    + r"(?P<word>today|tonight|yesterday|tomorrow|day\s+before\s+yesterday"
    + r"|day\s+after\s+tomorrow|this\s+(?:morning|afternoon|evening))"
    + _PART_OF_DAY
)
_RELATIVE_OFFSETS = {
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "day before yesterday": -2,
    "day after tomorrow": 2,
}

_WEEKDAY_PHRASE = re.compile(
    _QUALIFIER
    + r"(?:(?P<rel>last|this\s+past|past|next|this\s+coming|coming|this)\s+)?"
    + r"(?P<weekday>"
    + _WEEKDAY_FULL
    + r")"
    + _PART_OF_DAY
)

_CALENDAR_DATE = re.compile(
    r"(?:(?P<weekday>" + _WEEKDAY_ANY + r"),?\s+)?"
    r"(?:(?P<month1>" + _MONTH + r")\s*(?P<day1>" + _DAY + r")"
    r"|(?P<day2>" + _DAY + r")\s+(?:of\s+)?(?P<month2>" + _MONTH + r"))"
    r"(?:,?\s+(?P<year>\d{4}))?"
)
_NUMERIC_YMD = re.compile(
    r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
)

# Month/day phrases without a year resolve to the past unless that is implausibly
# far back and a near-future reading exists (articles announce upcoming dates).
_MAX_DAYS_BACK = 300
_MAX_DAYS_AHEAD = 60


def normalise_date(text: str, published: datetime.date | None) -> str | None:
    """Return the ISO ``YYYY-MM-DD`` day that a date phrase names, or ``None``.

    Relative phrases ("Thursday", "yesterday", "Oct. 7") are anchored on
    ``published``; without it they return ``None``.  Anything that is not
    exactly one calendar day ("this week", "October 2023"), is internally
    inconsistent ("Friday, October 26, 2023"), ambiguous ("26/10/2023") or
    invalid ("February 30") also returns ``None``: we never guess.
    """
    if isinstance(published, datetime.datetime):
        published = published.date()
    phrase = _clean_date_phrase(text)
    for parse in (_parse_numeric, _parse_calendar, _parse_relative_day, _parse_weekday):
        day = parse(phrase, published)
        if day is not None:
            return day.isoformat()
    return None


def _clean_date_phrase(text: str) -> str:
    """Reduce a span to a canonical lower-case phrase so patterns stay simple.

    Spans arrive with whatever surrounded them in the sentence: case, curly
    apostrophes, punctuation, a possessive ("Thursday's"), and leading
    prepositions or articles ("on", "the"), none of which change the day named.
    """
    phrase = " ".join(text.lower().replace("’", "'").replace("‘", "'").split())
    phrase = phrase.strip(_SURROUNDING).rstrip(".").strip(_SURROUNDING)
    phrase = phrase.removesuffix("'s")
    return _LEADING_WORDS.sub("", phrase)


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    """Build a date, mapping impossible ones (February 30) to ``None``, not an error."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _parse_numeric(phrase: str, published: datetime.date | None) -> datetime.date | None:
    """Parse year-first numeric dates ("2023-10-26", "2023/10/26").

    Day-first or month-first forms ("26/10/2023") are left unmatched on purpose:
    their order depends on the writer's locale, so they cannot be read safely.
    """
    match = _NUMERIC_YMD.fullmatch(phrase)
    if match is None:
        return None
    return _safe_date(int(match["year"]), int(match["month"]), int(match["day"]))


def _parse_calendar(phrase: str, published: datetime.date | None) -> datetime.date | None:
    """Parse dates with a month name, optionally with weekday and year.

    A stated weekday must agree with the resolved date; if it does not, the
    phrase contradicts itself and we refuse to pick one half of it.
    """
    match = _CALENDAR_DATE.fullmatch(phrase)
    if match is None:
        return None
    month = _MONTHS.index((match["month1"] or match["month2"])[:3]) + 1
    day = int(re.sub(r"\D", "", match["day1"] or match["day2"]))
    if match["year"] is not None:
        resolved = _safe_date(int(match["year"]), month, day)
    else:
        resolved = _resolve_month_day(month, day, published)
    if resolved is None or not _weekday_agrees(match["weekday"], resolved):
        return None
    return resolved


def _weekday_agrees(weekday: str | None, day: datetime.date) -> bool:
    """True when no weekday was given or it is the weekday of ``day``."""
    return weekday is None or _WEEKDAYS.index(weekday[:3]) == day.weekday()


def _resolve_month_day(
    month: int, day: int, published: datetime.date | None
) -> datetime.date | None:
    """Pick the year for a month/day phrase relative to the publication date.

    News mostly reports what already happened, so the most recent occurrence on
    or before ``published`` wins, unless it lies over ~300 days back while an
    occurrence within 60 days ahead exists.  Only the adjacent years are
    considered, so "Feb. 29" far from a leap year resolves to ``None``.
    """
    if published is None:
        return None
    past = _latest_on_or_before(month, day, published)
    future = _earliest_after(month, day, published)
    past_is_plausible = past is not None and (published - past).days <= _MAX_DAYS_BACK
    if not past_is_plausible and future is not None:
        if (future - published).days <= _MAX_DAYS_AHEAD:
            return future
    return past


def _latest_on_or_before(month: int, day: int, anchor: datetime.date) -> datetime.date | None:
    """Most recent valid month/day on or before ``anchor``, this year or last."""
    for year in (anchor.year, anchor.year - 1):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate <= anchor:
            return candidate
    return None


def _earliest_after(month: int, day: int, anchor: datetime.date) -> datetime.date | None:
    """First valid month/day strictly after ``anchor``, this year or next."""
    for year in (anchor.year, anchor.year + 1):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate > anchor:
            return candidate
    return None


def _parse_relative_day(phrase: str, published: datetime.date | None) -> datetime.date | None:
    """Resolve "today", "yesterday", "the day after tomorrow" etc. from ``published``."""
    match = _RELATIVE_DAY.fullmatch(phrase)
    if match is None or published is None:
        return None
    offset = _RELATIVE_OFFSETS[" ".join(match["word"].split())]
    return published + datetime.timedelta(days=offset)


def _parse_weekday(phrase: str, published: datetime.date | None) -> datetime.date | None:
    """Resolve a weekday name relative to ``published``.

    A bare weekday means the latest such day on or before publication (news
    reports the past, and "Friday" in a Friday article is that day).  "last"
    excludes the publication day itself, "next"/"coming" look forward, and a
    bare "this Thursday" is ambiguous between the two, so it gives ``None``.
    """
    match = _WEEKDAY_PHRASE.fullmatch(phrase)
    if match is None or published is None:
        return None
    target = _WEEKDAYS.index(match["weekday"][:3])
    relation = " ".join((match["rel"] or "").split())
    days_back = (published.weekday() - target) % 7
    if relation in ("", "last", "past", "this past"):
        if relation and days_back == 0:
            days_back = 7
        return published - datetime.timedelta(days=days_back)
    if relation in ("next", "coming", "this coming"):
        return published + datetime.timedelta(days=7 - days_back)
    return None


# --------------------------------------------------------------------------- names

_NAME_EDGES = " \t\n\"'`“”‘’«»„()[]{},;:!?*-–—/\\"
# Trailing periods that belong to the name rather than to the sentence.
_KEPT_ABBREVIATIONS = frozenset({"jr", "sr", "st", "dr", "inc", "co", "corp", "ltd", "plc", "bros"})
_ROMAN_NUMERAL = re.compile(r"[IVX]{2,}")
_WORD = re.compile(r"[^\W\d_]+")
_POSSESSIVE_S = re.compile(r"(?<=[^\W\d_]{2}['’])S\b")
_MAX_ACRONYM_LEN = 4


def normalise_name(text: str) -> str:
    """Return a person or organisation name in a canonical display form.

    Collapses whitespace, strips quotes and punctuation picked up from the
    sentence, and title-cases names shouted in ALL CAPS (headlines, datelines).
    Mixed-case names are trusted as written, because their capitalisation
    ("al-Assad", "McDonald") carries information we could not reconstruct.
    """
    name = _strip_name_edges(" ".join(text.split()))
    if _is_all_caps(name) and not _looks_like_acronym(name):
        name = _title_case(name)
    return name


def _strip_name_edges(name: str) -> str:
    """Strip surrounding punctuation, keeping a period that ends "Jr." or an initial."""
    stripped = name.strip(_NAME_EDGES)
    while stripped.endswith("."):
        last_word = stripped[:-1].split(" ")[-1]
        if len(last_word) == 1 or last_word.lower() in _KEPT_ABBREVIATIONS:
            break
        stripped = stripped[:-1].strip(_NAME_EDGES)
    return stripped


def _is_all_caps(name: str) -> bool:
    """True when the name has letters and none of them is lower case."""
    return name.upper() == name and name.lower() != name


def _looks_like_acronym(name: str) -> bool:
    """Short single all-caps words ("NATO", "UN", "IDF") are acronyms; keep them."""
    return " " not in name and len(name) <= _MAX_ACRONYM_LEN


def _title_case(name: str) -> str:
    """Title-case an ALL-CAPS name without ``str.title``'s "John'S" artefact.

    Roman numerals after the first word stay upper case ("John Paul II"), and an
    apostrophe-s after a longer word is read as a possessive ("Putin's").
    """
    words = name.split(" ")
    cased = [
        w if i > 0 and _ROMAN_NUMERAL.fullmatch(w) else _WORD.sub(_capitalise, w)
        for i, w in enumerate(words)
    ]
    return _POSSESSIVE_S.sub("s", " ".join(cased))


def _capitalise(match: re.Match[str]) -> str:
    """Capitalise one run of letters."""
    return match.group().capitalize()


# ------------------------------------------------------------------- registry


def _name(text: str, published: datetime.date | None) -> str | None:
    """Registry adapter for :func:`normalise_name`; an empty name is no value."""
    return normalise_name(text) or None


def _text(text: str, published: datetime.date | None) -> str | None:
    """Keep text as written apart from whitespace runs (line breaks, double spaces)."""
    return " ".join(text.split()) or None


NORMALISERS: Mapping[str, _Normaliser] = MappingProxyType(
    {"date": normalise_date, "name": _name, "text": _text}
)
