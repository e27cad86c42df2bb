"""The platform's own forms, defined in YAML next to this module (tenants add fields to them)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .definition import load_form_file
from .model import Form

FOLDER = Path(__file__).resolve().parent
TEMPLATE_FOLDER = FOLDER / "templates"


def platform_form_names() -> list[str]:
    """Names of the platform forms: "application", "broker_profile", "events/address_change", ..."""
    return sorted(path.relative_to(FOLDER).with_suffix("").as_posix() for path in FOLDER.rglob("*.yaml"))


@lru_cache(maxsize=None)
def load_platform_form(name: str) -> Form:
    """The platform form `name` (see platform_form_names); a Form is immutable, so it is loaded once."""
    if name not in platform_form_names():
        raise LookupError("no platform form named {!r}; expected one of {}".format(
            name, ", ".join(platform_form_names())))
    return load_form_file(FOLDER / (name + ".yaml"))
