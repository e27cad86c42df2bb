"""When cover may start: the 1st of a month inside the insurer's window.

The window runs from the 1st of the current month minus the tenant's `max_backdating_months` to
the 1st of the month `max_future_start_months` ahead. Offers, applications and enrolments all ask
this one module; an offer's validity bounds only when it may be accepted, never the start.
"""
import datetime
from dataclasses import dataclass

from engine import clock, formatting
from engine.errors import DomainError


def add_months(day, months):
    """The 1st of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def first_of_next_month(day):
    return add_months(day, 1)


def first_on_or_after(day):
    """`day` itself when it is a 1st, else the 1st of the next month."""
    return day if day.day == 1 else first_of_next_month(day)


@dataclass(frozen=True)
class StartWindow:
    earliest: datetime.date
    latest: datetime.date

    def __contains__(self, day):
        return day is not None and day.day == 1 and self.earliest <= day <= self.latest

    def months(self):
        """Every allowed start, earliest first."""
        day, out = self.earliest, []
        while day <= self.latest:
            out.append(day)
            day = first_of_next_month(day)
        return out

    @property
    def text(self):
        """{de, en}: the window in words, e.g. "frühestens 01.11.2026, spätestens 01.06.2027"."""
        earliest, latest = formatting.date(self.earliest), formatting.date(self.latest)
        return {"de": f"frühestens {earliest}, spätestens {latest}",
                "en": f"at the earliest {earliest}, at the latest {latest}"}

    def check(self, day, field="start_date"):
        """DomainError naming the window unless `day` is an allowed start."""
        if day in self:
            return
        shown = formatting.date(day)
        if day is not None and day.day != 1:
            de, en = f"Der Versicherungsbeginn muss der Erste eines Monats sein, nicht der {shown}", \
                f"Cover must start on the first day of a month, not on {shown}"
        else:
            de, en = f"Der Versicherungsbeginn {shown} ist bei diesem Versicherer nicht möglich", \
                f"Cover cannot start on {shown} with this insurer"
        raise DomainError(f"{de}: {self.text['de']}.", f"{en}: {self.text['en']}.", field=field)


def window(live, today=None):
    """The start window of a tenant version on `today` (the platform clock's date by default)."""
    first = (today or clock.today()).replace(day=1)
    return StartWindow(add_months(first, -live.settings.max_backdating_months),
                       add_months(first, live.settings.max_future_start_months))
