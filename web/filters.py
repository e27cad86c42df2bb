"""Template filters: German dates and money by default, via Babel."""
from decimal import Decimal

from flask_babel import format_date, format_datetime, format_decimal


def money(value):
    if value is None or value == "":
        return ""
    return f"{format_decimal(Decimal(value), format='#,##0.00')} EUR"


def date(value):
    return format_date(value, format="dd.MM.yyyy") if value else ""


def datetime(value):
    return format_datetime(value, format="dd.MM.yyyy HH:mm") if value else ""


def localized(value):
    """Pick the current language from a {de, en} mapping of the tenant YAML."""
    from web.extensions import select_locale
    if isinstance(value, dict):
        return value.get(select_locale()) or value.get("de") or next(iter(value.values()), "")
    return value or ""


def init_app(app):
    app.jinja_env.filters.update(money=money, date=date, datetime=datetime, t=localized)
