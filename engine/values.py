"""Typed form values (dates, Decimals) as they are kept in JSON columns: ISO dates, decimal strings."""
import datetime
from decimal import Decimal


def stored(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def stored_all(values):
    return {name: stored(value) for name, value in values.items()}
