"""German number and date formats for documents (PDFs are German, like the contracts they record)."""
import datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal


def money(value):
    if value in (None, ""):
        return ""
    return f"{format_decimal(Decimal(str(value)), format='#,##0.00', locale='de_DE')} EUR"


def date(value):
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    return format_date(value, format="dd.MM.yyyy", locale="de_DE")


def text(value):
    """The German text of a {de, en} mapping."""
    return value.get("de", "") if isinstance(value, dict) else (value or "")
