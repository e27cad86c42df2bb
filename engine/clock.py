"""The platform's one clock: every "today" and "now" in engine/ and web/ is asked of it.

A bKV contract lives in German calendar days, so "today" is the date in Europe/Berlin (on a server
running in UTC, 23:30 on 31 December is already 1 January in Hamburg); stored timestamps are naive
UTC. Tests move this clock with time-machine (tests/conftest.py); nothing else reads the system time.
"""
import datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Berlin")


def now():
    """The current moment, aware, in the platform's zone."""
    return datetime.datetime.now(ZONE)


def today():
    """Today's date in the platform's zone."""
    return now().date()


def utcnow():
    """The current moment as naive UTC, the way timestamps are stored."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
