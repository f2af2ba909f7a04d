"""Table-driven tests for engine.normalise.

Expected dates were worked out by hand from a calendar.  Anchors used below:
  2023-10-26 Thursday, 2023-10-27 Friday (the seed articles' publication dates),
  2023-10-07 Saturday, 2023-12-31 Sunday, 2024-01-01 Monday, 2024 is a leap year.
"""

from __future__ import annotations

import datetime

import pytest

from engine.normalise import NORMALISERS, normalise_date, normalise_name

THU = datetime.date(2023, 10, 26)
FRI = datetime.date(2023, 10, 27)

# (id, phrase, published, expected)
DateCase = tuple[str, str, datetime.date | None, str | None]

SEED_CASES: list[DateCase] = [
    ("seed-on-thursday-published-friday", "on Thursday", FRI, "2023-10-26"),
    ("seed-thursday-published-thursday", "Thursday", THU, "2023-10-26"),
    ("seed-full-date", "October 26, 2023", FRI, "2023-10-26"),
    ("seed-friday-published-friday", "Friday", FRI, "2023-10-27"),
    ("seed-oct-7", "Oct. 7", FRI, "2023-10-07"),
    ("seed-on-october-17", "on October 17", THU, "2023-10-17"),
    ("seed-earlier-on-thursday", "earlier on Thursday", FRI, "2023-10-26"),
]

ABSOLUTE_CASES: list[DateCase] = [
    ("iso", "2023-10-26", None, "2023-10-26"),
    ("iso-slashes-year-first", "2023/10/26", None, "2023-10-26"),
    ("month-day-comma-year", "October 26, 2023", None, "2023-10-26"),
    ("abbrev-month-period", "Oct. 26, 2023", None, "2023-10-26"),
    ("abbrev-month-no-comma", "Oct 26 2023", None, "2023-10-26"),
    ("day-month-year", "26 October 2023", None, "2023-10-26"),
    ("day-abbrev-month-year", "26 Oct. 2023", None, "2023-10-26"),
    ("ordinal-day", "October 26th, 2023", None, "2023-10-26"),
    ("ordinal-of-month", "the 26th of October, 2023", None, "2023-10-26"),
    ("sept-abbreviation", "Sept. 5, 2023", None, "2023-09-05"),
    ("weekday-prefix-matching", "Thursday, October 26, 2023", None, "2023-10-26"),
    ("weekday-abbrev-prefix", "Thu., Oct. 26, 2023", None, "2023-10-26"),
    ("with-preposition-and-period", "on October 26, 2023.", None, "2023-10-26"),
    ("all-caps", "OCTOBER 26, 2023", None, "2023-10-26"),
    ("quoted-with-comma", "“October 26, 2023”,", None, "2023-10-26"),
    ("leap-day-in-leap-year", "February 29, 2024", None, "2024-02-29"),
    ("year-given-ignores-published", "October 26, 2021", FRI, "2021-10-26"),
]

MONTH_DAY_CASES: list[DateCase] = [
    ("month-day-full", "October 7", FRI, "2023-10-07"),
    ("day-month", "7 October", FRI, "2023-10-07"),
    ("month-day-on-published-day", "October 27", FRI, "2023-10-27"),
    ("earlier-this-year", "February 10", FRI, "2023-02-10"),
    ("tomorrow-not-last-year", "October 28", FRI, "2023-10-28"),
    ("near-future-34-days", "November 30", FRI, "2023-11-30"),
    ("near-future-exactly-60-days", "December 26", FRI, "2023-12-26"),
    ("61-days-ahead-falls-back-to-past", "December 27", FRI, "2022-12-27"),
    ("exactly-300-days-back-stays-past", "December 31", FRI, "2022-12-31"),
    ("301-back-but-64-ahead-stays-past", "December 30", FRI, "2022-12-30"),
    ("crosses-new-year-forward", "January 5", datetime.date(2023, 12, 20), "2024-01-05"),
    ("crosses-new-year-back", "Dec. 28", datetime.date(2024, 1, 3), "2023-12-28"),
    ("weekday-and-month-day", "Saturday, Oct. 7", FRI, "2023-10-07"),
    ("feb-29-after-leap-day", "Feb. 29", datetime.date(2024, 3, 10), "2024-02-29"),
    ("feb-29-upcoming-leap-day", "Feb. 29", datetime.date(2024, 1, 15), "2024-02-29"),
    ("feb-29-316-days-back", "Feb. 29", datetime.date(2025, 1, 10), "2024-02-29"),
]

WEEKDAY_CASES: list[DateCase] = [
    ("bare-weekday-earlier-in-week", "Monday", FRI, "2023-10-23"),
    ("bare-weekday-previous-week", "Saturday", FRI, "2023-10-21"),
    ("lowercase-on", "on thursday", FRI, "2023-10-26"),
    ("capitalised-on", "On Tuesday", FRI, "2023-10-24"),
    ("last-thursday-from-friday", "last Thursday", FRI, "2023-10-26"),
    ("last-same-weekday-is-a-week-ago", "last Thursday", THU, "2023-10-19"),
    ("this-past-sunday", "this past Sunday", FRI, "2023-10-22"),
    ("next-thursday-from-friday", "next Thursday", FRI, "2023-11-02"),
    ("next-same-weekday", "next Friday", FRI, "2023-11-03"),
    ("next-thursday-from-thursday", "next Thursday", THU, "2023-11-02"),
    ("this-coming-saturday", "this coming Saturday", FRI, "2023-10-28"),
    ("coming-monday", "coming Monday", FRI, "2023-10-30"),
    ("part-of-day", "Thursday night", FRI, "2023-10-26"),
    ("late-weekday", "late Wednesday", FRI, "2023-10-25"),
    ("possessive-straight", "Thursday's", FRI, "2023-10-26"),
    ("possessive-curly", "Thursday’s", FRI, "2023-10-26"),
    ("trailing-comma", "on Friday,", FRI, "2023-10-27"),
    ("across-year-boundary", "Sunday", datetime.date(2024, 1, 2), "2023-12-31"),
]

RELATIVE_DAY_CASES: list[DateCase] = [
    ("today", "today", FRI, "2023-10-27"),
    ("tonight", "tonight", FRI, "2023-10-27"),
    ("earlier-today", "earlier today", FRI, "2023-10-27"),
    ("this-morning", "this morning", FRI, "2023-10-27"),
    ("yesterday", "Yesterday", FRI, "2023-10-26"),
    ("yesterday-morning", "yesterday morning", FRI, "2023-10-26"),
    ("tomorrow", "tomorrow", FRI, "2023-10-28"),
    ("day-before-yesterday", "the day before yesterday", FRI, "2023-10-25"),
    ("day-after-tomorrow", "the day after tomorrow", FRI, "2023-10-29"),
    ("yesterday-across-year", "yesterday", datetime.date(2024, 1, 1), "2023-12-31"),
    ("tomorrow-across-year", "tomorrow", datetime.date(2023, 12, 31), "2024-01-01"),
    ("tomorrow-leap-day", "tomorrow", datetime.date(2024, 2, 28), "2024-02-29"),
]

NO_PUBLISHED_CASES: list[DateCase] = [
    ("no-anchor-weekday", "Thursday", None, None),
    ("no-anchor-on-weekday", "on Thursday", None, None),
    ("no-anchor-last-weekday", "last Thursday", None, None),
    ("no-anchor-next-weekday", "next Thursday", None, None),
    ("no-anchor-month-day", "Oct. 7", None, None),
    ("no-anchor-today", "today", None, None),
    ("no-anchor-yesterday", "yesterday", None, None),
    ("no-anchor-tomorrow", "tomorrow", None, None),
    ("no-anchor-day-before-yesterday", "the day before yesterday", None, None),
]

NOT_ONE_DAY_CASES: list[DateCase] = [
    ("this-week", "this week", FRI, None),
    ("earlier-this-month", "earlier this month", FRI, None),
    ("last-year", "last year", FRI, None),
    ("month-and-year", "October 2023", FRI, None),
    ("in-month", "in October", FRI, None),
    ("recently", "recently", FRI, None),
    ("bare-year", "1987", FRI, None),
    ("decade", "the 1990s", FRI, None),
    ("day-first-numeric-ambiguous", "26/10/2023", FRI, None),
    ("month-first-numeric-ambiguous", "10/26/2023", FRI, None),
    ("this-weekday-ambiguous", "this Thursday", FRI, None),
    ("last-night-ambiguous", "last night", FRI, None),
    ("weekday-contradicts-date", "Friday, October 26, 2023", FRI, None),
    ("weekday-contradicts-month-day", "Wednesday, Oct. 26", FRI, None),
    ("trailing-clause", "Thursday, officials said", FRI, None),
    ("empty", "", FRI, None),
    ("whitespace", "   ", FRI, None),
]

INVALID_CASES: list[DateCase] = [
    ("february-30-with-year", "February 30, 2023", FRI, None),
    ("february-30-without-year", "February 30", FRI, None),
    ("april-31", "April 31, 2023", FRI, None),
    ("iso-february-30", "2023-02-30", FRI, None),
    ("iso-month-13", "2023-13-01", FRI, None),
    ("day-zero", "October 0, 2023", FRI, None),
    ("leap-day-in-common-year", "February 29, 2023", FRI, None),
    ("feb-29-far-from-any-leap-day", "Feb. 29", FRI, None),
]

ALL_DATE_CASES = (
    SEED_CASES
    + ABSOLUTE_CASES
    + MONTH_DAY_CASES
    + WEEKDAY_CASES
    + RELATIVE_DAY_CASES
    + NO_PUBLISHED_CASES
    + NOT_ONE_DAY_CASES
    + INVALID_CASES
)


def _params(cases: list[DateCase]) -> list[object]:
    return [
        pytest.param(text, published, expected, id=id_) for id_, text, published, expected in cases
    ]


@pytest.mark.parametrize(("text", "published", "expected"), _params(SEED_CASES))
def test_seed_phrases(text: str, published: datetime.date | None, expected: str | None) -> None:
    assert normalise_date(text, published) == expected


@pytest.mark.parametrize(("text", "published", "expected"), _params(ABSOLUTE_CASES))
def test_absolute_dates(text: str, published: datetime.date | None, expected: str | None) -> None:
    assert normalise_date(text, published) == expected


@pytest.mark.parametrize(("text", "published", "expected"), _params(MONTH_DAY_CASES))
def test_month_day_takes_year_from_published(
    text: str, published: datetime.date | None, expected: str | None
) -> None:
    assert normalise_date(text, published) == expected


@pytest.mark.parametrize(("text", "published", "expected"), _params(WEEKDAY_CASES))
def test_weekdays(text: str, published: datetime.date | None, expected: str | None) -> None:
    assert normalise_date(text, published) == expected


@pytest.mark.parametrize(("text", "published", "expected"), _params(RELATIVE_DAY_CASES))
def test_relative_days(text: str, published: datetime.date | None, expected: str | None) -> None:
    assert normalise_date(text, published) == expected


@pytest.mark.parametrize(("text", "published", "expected"), _params(NO_PUBLISHED_CASES))
def test_relative_phrases_need_published(
    text: str, published: datetime.date | None, expected: str | None
) -> None:
    assert normalise_date(text, published) == expected


@pytest.mark.parametrize(("text", "published", "expected"), _params(NOT_ONE_DAY_CASES))
def test_phrases_not_naming_one_day(
    text: str, published: datetime.date | None, expected: str | None
) -> None:
    assert normalise_date(text, published) == expected


@pytest.mark.parametrize(("text", "published", "expected"), _params(INVALID_CASES))
def test_invalid_days_give_none(
    text: str, published: datetime.date | None, expected: str | None
) -> None:
    assert normalise_date(text, published) == expected


def test_datetime_published_is_treated_as_its_date() -> None:
    published = datetime.datetime(2023, 10, 27, 23, 59)
    assert normalise_date("yesterday", published) == "2023-10-26"


# ------------------------------------------------------------------ properties

PROPERTY_PHRASES = [case[1] for case in ALL_DATE_CASES] + [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "next Sunday",
    "last Monday",
    "Jan. 1",
    "Dec. 31",
    "Feb. 29",
    "February 28",
]
PROPERTY_ANCHORS = [
    None,
    datetime.date(2023, 10, 26),
    datetime.date(2023, 12, 31),
    datetime.date(2024, 1, 1),
    datetime.date(2024, 2, 29),
    datetime.date(2024, 3, 1),
]
WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@pytest.mark.parametrize("published", PROPERTY_ANCHORS, ids=str)
def test_every_result_is_a_valid_iso_date(published: datetime.date | None) -> None:
    for text in PROPERTY_PHRASES:
        result = normalise_date(text, published)
        if result is not None:
            assert datetime.date.fromisoformat(result).isoformat() == result, text


# Days from published to the result allowed for each relation word.
WEEKDAY_WINDOWS = {
    "": range(-6, 1),
    "on ": range(-6, 1),
    "last ": range(-7, 0),
    "next ": range(1, 8),
}


@pytest.mark.parametrize("published", PROPERTY_ANCHORS[1:], ids=str)
@pytest.mark.parametrize("relation", list(WEEKDAY_WINDOWS), ids=lambda r: r.strip() or "bare")
def test_weekday_results_fall_on_that_weekday_within_a_week(
    relation: str, published: datetime.date
) -> None:
    for weekday, name in enumerate(WEEKDAY_NAMES):
        result = normalise_date(relation + name, published)
        assert result is not None, relation + name
        day = datetime.date.fromisoformat(result)
        assert day.weekday() == weekday
        assert (day - published).days in WEEKDAY_WINDOWS[relation]


@pytest.mark.parametrize("text", PROPERTY_PHRASES)
def test_never_raises_and_is_case_insensitive(text: str) -> None:
    assert normalise_date(text.upper(), FRI) == normalise_date(text.lower(), FRI)


# ------------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("VLADIMIR PUTIN", "Vladimir Putin", id="all-caps-title-cased"),
        pytest.param("PUTIN", "Putin", id="all-caps-single-word"),
        pytest.param("Abu Marzouk", "Abu Marzouk", id="mixed-case-untouched"),
        pytest.param("al-Assad", "al-Assad", id="lowercase-particle-untouched"),
        pytest.param("McDonald", "McDonald", id="internal-capital-untouched"),
        pytest.param("BASHAR AL-ASSAD", "Bashar Al-Assad", id="all-caps-hyphenated"),
        pytest.param("SEAN O'NEILL", "Sean O'Neill", id="all-caps-apostrophe-name"),
        pytest.param("PUTIN'S", "Putin's", id="all-caps-possessive"),
        pytest.param("JOHN PAUL II", "John Paul II", id="roman-numeral-kept"),
        pytest.param("XI JINPING", "Xi Jinping", id="leading-xi-not-a-numeral"),
        pytest.param("NATO", "NATO", id="short-acronym-kept"),
        pytest.param("  Abu \n  Marzouk\t", "Abu Marzouk", id="whitespace-collapsed"),
        pytest.param('"Vladimir Putin,"', "Vladimir Putin", id="straight-quotes-and-comma"),
        pytest.param("“Abu Marzouk”", "Abu Marzouk", id="curly-quotes"),
        pytest.param("(Maria Zakharova).", "Maria Zakharova", id="brackets-and-period"),
        pytest.param("Martin Luther King Jr.", "Martin Luther King Jr.", id="jr-period-kept"),
        pytest.param("George W.", "George W.", id="initial-period-kept"),
        pytest.param("", "", id="empty"),
    ],
)
def test_normalise_name(text: str, expected: str) -> None:
    assert normalise_name(text) == expected


# --------------------------------------------------------------------- registry


def test_registry_keys() -> None:
    assert set(NORMALISERS) == {"date", "name", "text"}


def test_registry_date_is_normalise_date() -> None:
    assert NORMALISERS["date"] is normalise_date
    assert NORMALISERS["date"]("on Thursday", FRI) == "2023-10-26"


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        pytest.param("name", " VLADIMIR  PUTIN ", "Vladimir Putin", id="name-wrapper"),
        pytest.param("name", " ” ", None, id="name-empty-is-none"),
        pytest.param("text", "  Kremlin \n spokesman  ", "Kremlin spokesman", id="text-collapse"),
        pytest.param("text", "“Deplorable,” he said", "“Deplorable,” he said", id="text-as-is"),
        pytest.param("text", " \n ", None, id="text-empty-is-none"),
    ],
)
def test_registry_wrappers(key: str, text: str, expected: str | None) -> None:
    assert NORMALISERS[key](text, FRI) == expected
    assert NORMALISERS[key](text, None) == expected
