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


def nearest_birthday_age(birth, at):
    """Age by the nearest birthday (Alter nach nächstem Geburtstag, halbjährige Rundung): the completed
    years, plus one from the day six whole months after the last birthday (half up: born 1 July, on
    1 January the next age counts). A year completed on 1 March (born 29 February) counts from there."""
    years = age(birth, at)
    try:
        last = birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year: the year was completed on 1 March
        last = birth.replace(year=birth.year + years, month=3, day=1)
    return years + 1 if months_between(last, at) >= 6 else years


# settings.age_method -> (the formula input that carries it, how it is counted)
AGE_METHODS = {
    "age_at_start": ("age", age),
    "insurance_age": ("insurance_age", insurance_age),
    "nearest_birthday": ("nearest_age", nearest_birthday_age),
}
AGE_INPUTS = frozenset(name for name, _ in AGE_METHODS.values())


def ages(birth, at):
    """{formula input: age} of a person on `at`, by every age method."""
    return {name: count(birth, at) for name, count in AGE_METHODS.values()}
