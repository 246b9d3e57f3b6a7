"""Visit rules → visits in a date window, in the site's time zone, without public holidays."""

import datetime as dt

from fs_common.calendar import rule_applies
from locator.itineraries.visits import visits_between

D = dt.date


def rule(**fields) -> dict:
    return {"weekdays": [], "dates": [], "ranges": [], "valid_from": None, "valid_until": None} | fields


def test_weekly_visits_in_local_time_across_the_dst_change():
    # Summer time ends on Sunday 2026-10-25 in Paris: Monday visits move from +02:00 to +01:00.
    visits = visits_between(
        [rule(weekdays=[0], ranges=[["09:00", "12:00"]])], "08", D(2026, 10, 19), D(2026, 10, 26)
    )
    assert [v.start.isoformat() for v in visits] == ["2026-10-19T09:00:00+02:00", "2026-10-26T09:00:00+01:00"]
    assert visits[1].end.astimezone(dt.UTC).hour == 11
    assert visits[0].end.astimezone(dt.UTC).hour == 10


def test_no_visit_on_a_public_holiday():
    # Monday 2026-05-25 is Whit Monday; Friday 2026-12-25 Christmas; 26 December only in Alsace-Moselle.
    mondays = visits_between([rule(weekdays=[0])], "08", D(2026, 5, 18), D(2026, 6, 1))
    assert [v.day for v in mondays] == [D(2026, 5, 18), D(2026, 6, 1)]
    saturday = rule(weekdays=[5], ranges=[["09:00", "12:00"]])
    assert [v.day for v in visits_between([saturday], "57", D(2026, 12, 26), D(2026, 12, 26))] == []
    assert [v.day for v in visits_between([saturday], "08", D(2026, 12, 26), D(2026, 12, 26))] == [
        D(2026, 12, 26)
    ]


def test_overseas_time_zone():
    visits = visits_between(
        [rule(weekdays=[2], ranges=[["08:00", "12:00"]])], "974", D(2026, 3, 4), D(2026, 3, 4)
    )
    assert visits[0].start.isoformat() == "2026-03-04T08:00:00+04:00"


def test_weeks_of_month_last_and_parity():
    first_and_last = rule(weekdays=[4], weeks_of_month=[1, -1])
    days = [v.day for v in visits_between([first_and_last], "08", D(2026, 1, 1), D(2026, 1, 31))]
    assert days == [D(2026, 1, 2), D(2026, 1, 30)]
    even = rule(weekdays=[1], week_parity="even")
    days = [v.day for v in visits_between([even], "08", D(2026, 1, 1), D(2026, 1, 31))]
    assert [d.isocalendar().week for d in days] == [2, 4]
    assert rule_applies(rule(weekdays=[1], week_parity="odd"), D(2026, 1, 6)) is False


def test_dates_validity_and_several_ranges():
    specific = rule(dates=["2026-07-01", "2026-07-08"], ranges=[["09:00", "12:00"], ["13:30", "16:00"]])
    visits = visits_between([specific], "23", D(2026, 7, 1), D(2026, 7, 31))
    assert [(v.day.day, v.start.hour) for v in visits] == [(1, 9), (1, 13), (8, 9), (8, 13)]
    limited = rule(weekdays=[0, 1, 2, 3, 4], valid_from="2026-07-08", valid_until="2026-07-10")
    assert [v.day.day for v in visits_between([limited], "23", D(2026, 7, 1), D(2026, 7, 31))] == [8, 9, 10]


def test_site_hours_used_when_the_rule_has_none_else_unknown_hours():
    site_hours = {"0": [["08:30", "12:00"]]}
    visits = visits_between(
        [rule(weekdays=[0, 1])], "08", D(2026, 6, 1), D(2026, 6, 2), site_hours=site_hours
    )
    assert [(v.day.day, v.start and v.start.strftime("%H:%M")) for v in visits] == [(1, "08:30"), (2, None)]


def test_visits_already_over_are_left_out():
    rules = [rule(weekdays=[0], ranges=[["09:00", "12:00"], ["14:00", "17:00"]])]
    after = dt.datetime(2026, 6, 1, 13, 0, tzinfo=dt.UTC)  # 15:00 in Paris: the afternoon is under way
    visits = visits_between(rules, "08", D(2026, 6, 1), D(2026, 6, 8), after=after)
    assert [v.start.isoformat() for v in visits] == [
        "2026-06-01T14:00:00+02:00",
        "2026-06-08T09:00:00+02:00",
        "2026-06-08T14:00:00+02:00",
    ]
