"""Ages and whole months as the rule language counts them."""

import datetime as dt

import pytest

from rules.dates import age, insurance_age, months_between, nearest_birthday_age

D = dt.date


@pytest.mark.parametrize("birth, at, expected", [
    (D(1990, 6, 15), D(2026, 6, 14), 35),
    (D(1990, 6, 15), D(2026, 6, 15), 36),
    (D(1990, 6, 15), D(1990, 6, 15), 0),
    (D(2000, 2, 29), D(2001, 2, 28), 0),   # completes the year at the end of 28 February
    (D(2000, 2, 29), D(2001, 3, 1), 1),
    (D(2000, 2, 29), D(2004, 2, 28), 3),
    (D(2000, 2, 29), D(2004, 2, 29), 4),
    (D(2000, 3, 1), D(2001, 2, 28), 0),
    (D(2000, 3, 1), D(2001, 3, 1), 1),
    (D(2000, 12, 31), D(2001, 1, 1), 0),
])
def test_age_in_completed_years(birth, at, expected):
    assert age(birth, at) == expected


def test_insurance_age_counts_calendar_years():
    assert insurance_age(D(1990, 12, 31), D(2026, 1, 1)) == 36
    assert age(D(1990, 12, 31), D(2026, 1, 1)) == 35
    assert insurance_age(D(2000, 2, 29), D(2001, 2, 28)) == 1


@pytest.mark.parametrize("start, end, expected", [
    (D(2025, 7, 1), D(2026, 1, 1), 6),
    (D(2025, 7, 2), D(2026, 1, 1), 5),
    (D(2025, 7, 1), D(2025, 7, 31), 0),
    (D(2026, 1, 31), D(2026, 2, 28), 0),
    (D(2026, 1, 31), D(2026, 3, 1), 1),
    (D(2024, 2, 29), D(2025, 2, 28), 11),
    (D(2024, 2, 29), D(2025, 3, 1), 12),
    (D(2026, 1, 1), D(2026, 1, 1), 0),
    (D(2026, 1, 1), D(2025, 7, 1), -6),
    (D(2026, 1, 1), D(2025, 7, 2), -5),
])
def test_months_between_counts_whole_months(start, end, expected):
    assert months_between(start, end) == expected


def test_age_rule_on_a_leap_day_birthday(judge):
    condition = {"age": ["employee.birth_date", "contract.start_date"], "gte": 18}
    born = {"birth_date": D(2008, 2, 29)}
    assert judge(condition, {"employee": born, "contract": {"start_date": D(2026, 2, 28)}}) is False
    assert judge(condition, {"employee": born, "contract": {"start_date": D(2026, 3, 1)}}) is True


@pytest.mark.parametrize("birth, at, expected", [
    (D(1980, 7, 2), D(2027, 1, 1), 46),    # last birthday 02.07.2026: six months not yet complete
    (D(1980, 7, 1), D(2027, 1, 1), 47),    # exactly six months: half up, the next age counts
    (D(1980, 6, 30), D(2027, 1, 1), 47),
    (D(1980, 1, 1), D(2027, 1, 1), 47),    # on the birthday itself
    (D(1980, 1, 2), D(2027, 1, 1), 47),    # the birthday tomorrow is the nearest
    (D(1980, 12, 31), D(2027, 6, 30), 46),  # 31.12. to 30.06. are five whole months
    (D(1980, 12, 31), D(2027, 7, 1), 47),
    (D(1980, 2, 29), D(2026, 8, 31), 46),  # in a common year the year completes on 1 March ...
    (D(1980, 2, 29), D(2026, 9, 1), 47),   # ... so six months later is 1 September
    (D(1980, 2, 29), D(2028, 8, 28), 48),
    (D(1980, 2, 29), D(2028, 8, 29), 49),
    (D(2027, 3, 15), D(2027, 9, 15), 1),   # a child: half a year old counts as one
])
def test_age_by_the_nearest_birthday_rounds_at_the_half_year(birth, at, expected):
    assert nearest_birthday_age(birth, at) == expected
    assert nearest_birthday_age(birth, at) - age(birth, at) in (0, 1)
