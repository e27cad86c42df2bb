"""Ages and whole months as the rule language counts them."""

import datetime as dt

import pytest

from rules.dates import age, insurance_age, months_between

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
