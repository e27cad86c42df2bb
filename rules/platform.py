"""The platform rules every tenant's decisions pass through (rules/platform.yaml)."""

import functools
import re
from decimal import Decimal
from pathlib import Path

import yaml

from rules.compile import check_settings, compile_rules
from rules.errors import RuleError

PLATFORM_FILE = Path(__file__).with_name("platform.yaml")
_DECIMAL_TEXT = re.compile(r"^-?\d+(\.\d+)?$")


@functools.lru_cache(maxsize=1)
def _document():
    with PLATFORM_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _setting_value(value):
    """Quoted decimals ("50.00") are amounts: keep them exact as Decimal."""
    if isinstance(value, str) and _DECIMAL_TEXT.match(value):
        return Decimal(value)
    return value


def platform_settings():
    """The platform's settings with their defaults, e.g. {"benefit_in_kind_limit": Decimal("50.00")}."""
    return {name: _setting_value(value) for name, value in _document()["settings"].items()}


def load_platform_rules(settings=None):
    """Compile the platform rules; `settings` overrides defaults (a tenant's own limit).

    An unknown or malformed override raises RuleError with the path ["settings", name].
    """
    merged = platform_settings()
    try:
        overrides = check_settings(settings)
    except RuleError as error:
        raise error.at("settings") from None
    for name, value in overrides.items():
        if name not in merged:
            raise RuleError("unknown platform setting %r; known: %s"
                            % (name, ", ".join(sorted(merged))), ["settings", name])
        if value is None or isinstance(value, (dict, list)):
            raise RuleError("a platform setting is a single value", ["settings", name])
        merged[name] = _setting_value(value)
    try:
        return compile_rules(_document()["rules"], name="platform", settings=merged)
    except RuleError as error:
        raise error.at("rules") from None
