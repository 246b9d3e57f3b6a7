"""Opening hours evaluated in the site's own time zone, with the territory's public holidays."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from locator.sites.opening_hours import HoursFormatError, is_open, next_opening, parse_day

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
WEEKDAYS = {str(d): [["09:00", "12:00"], ["13:30", "17:00"]] for d in range(5)}
SATURDAY_ONLY = {"5": [["09:00", "12:00"]]}


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def test_saturday_only_site_is_open_on_saturday_morning_only():
    assert is_open(SATURDAY_ONLY, "23", paris(2026, 11, 28, 10, 0))  # Saturday
    assert not is_open(SATURDAY_ONLY, "23", paris(2026, 11, 28, 12, 0))  # closing time is exclusive
    assert not is_open(SATURDAY_ONLY, "23", paris(2026, 11, 27, 10, 0))  # Friday
    opening = next_opening(SATURDAY_ONLY, "23", paris(2026, 11, 26, 15, 0))
    assert opening is not None and opening.start == paris(2026, 11, 28, 9, 0)


def test_lunch_break_closes_the_site_and_next_opening_is_the_afternoon():
    assert is_open(WEEKDAYS, "23", paris(2026, 11, 26, 11, 59))
    assert not is_open(WEEKDAYS, "23", paris(2026, 11, 26, 12, 30))
    opening = next_opening(WEEKDAYS, "23", paris(2026, 11, 26, 12, 30))
    assert opening is not None
    assert (opening.start, opening.end) == (paris(2026, 11, 26, 13, 30), paris(2026, 11, 26, 17, 0))


def test_public_holiday_closes_the_site():
    christmas = paris(2026, 12, 25, 10, 0)  # a Friday
    assert not is_open(WEEKDAYS, "23", christmas)
    opening = next_opening(WEEKDAYS, "23", christmas)
    assert opening is not None and opening.start == paris(2026, 12, 28, 9, 0)  # Monday


def test_alsace_moselle_has_two_more_holidays():
    st_stephen = paris(2026, 12, 26, 10, 0)  # a Saturday in 2026
    saturday = {"5": [["09:00", "12:00"]]}
    assert is_open(saturday, "23", st_stephen)
    assert not is_open(saturday, "67", st_stephen)
    assert not is_open(saturday, "57", st_stephen)
    good_friday = paris(2027, 3, 26, 10, 0)
    assert is_open(WEEKDAYS, "75", good_friday)
    assert not is_open(WEEKDAYS, "68", good_friday)


def test_daylight_saving_sunday_keeps_local_opening_times():
    sunday = {"6": [["09:00", "12:00"]]}
    # 29 March 2026: clocks go from 02:00 to 03:00 in Paris; 09:00 local is 07:00 UTC (not 08:00).
    assert is_open(sunday, "75", dt.datetime(2026, 3, 29, 7, 30, tzinfo=UTC))
    assert not is_open(sunday, "75", dt.datetime(2026, 3, 29, 10, 30, tzinfo=UTC))
    opening = next_opening(sunday, "75", dt.datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert opening is not None and opening.start.astimezone(UTC) == dt.datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    # 25 October 2026: back from 03:00 to 02:00; 09:00 local is 08:00 UTC.
    opening = next_opening(sunday, "75", dt.datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    assert opening is not None and opening.start.astimezone(UTC) == dt.datetime(
        2026, 10, 25, 8, 0, tzinfo=UTC
    )


def test_reunion_and_paris_at_the_same_instant():
    hours = {"3": [["08:00", "12:00"]]}  # Thursdays 08:00-12:00 local
    instant = dt.datetime(2026, 11, 26, 6, 30, tzinfo=UTC)  # 07:30 in Paris, 10:30 in La Réunion
    assert not is_open(hours, "75", instant)
    assert is_open(hours, "974", instant)
    later = dt.datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # 10:00 in Paris, 13:00 in La Réunion
    assert is_open(hours, "75", later)
    assert not is_open(hours, "974", later)


def test_reunion_has_its_own_holiday():
    abolition = dt.datetime(2026, 12, 20, 6, 0, tzinfo=UTC)  # a Sunday; 20 December is Réunion's holiday
    sunday = {"6": [["08:00", "12:00"]]}
    assert not is_open(sunday, "974", abolition)
    assert is_open(sunday, "971", dt.datetime(2026, 12, 20, 13, 0, tzinfo=UTC))  # 09:00 in Guadeloupe


def test_parse_day_of_the_national_format():
    day = parse_day("09:00 - 12:00 / 13:30 - 17:00")
    assert day.ranges == [["09:00", "12:00"], ["13:30", "17:00"]]
    placeholder = parse_day("00:00 - 00:00 / 09:00 - 12:00")
    assert placeholder.ranges == [["09:00", "12:00"]] and placeholder.empty_ranges == 1
    overlapping = parse_day("00:00 - 00:00 / 08:00 - 15:00 / 08:00 - 16:00 / 08:00 - 16:00")
    assert overlapping.ranges == [["08:00", "16:00"]] and overlapping.merged_ranges == 2
    with pytest.raises(HoursFormatError):
        parse_day("9h - midi")
    with pytest.raises(HoursFormatError):
        parse_day("17:00 - 09:00")
