"""Date arithmetic the rule language offers: ages and whole months, as German insurers count them."""


def age(birth, at):
    """Completed years of life at `at`.

    Someone born on 29 February completes a year at the end of 28 February in other years
    (§ 188 BGB), so the birthday counts from 1 March; the tuple comparison gives exactly that.
    """
    years = at.year - birth.year
    if (at.month, at.day) < (birth.month, birth.day):
        years -= 1
    return years


def insurance_age(birth, at):
    """Insurance age (Versicherungsalter): calendar year of `at` minus the year of birth."""
    return at.year - birth.year


def months_between(start, end):
    """Whole months from `start` to `end`; negative when `end` lies before `start`.

    A month is complete when the day of the month is reached again (31 January to 28 February
    is 0 months, to 1 March is 1 month).
    """
    if end < start:
        return -months_between(end, start)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return months
