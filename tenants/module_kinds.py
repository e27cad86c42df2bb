"""The platform's module kinds (tenants/module_kinds.yaml): the benefit areas a module tariff may
cover, each with its label in German and English."""
import functools
from pathlib import Path

import yaml

KINDS_FILE = Path(__file__).with_name("module_kinds.yaml")


@functools.cache
def module_kinds():
    """name -> label {de, en}, in the file's order."""
    raw = yaml.safe_load(KINDS_FILE.read_text(encoding="utf-8"))
    return {name: dict(spec["label"]) for name, spec in raw.items()}


def module_label(tariff):
    """The label {de, en} of a module tariff's kind, or None (a budget tariff, or a module without one)."""
    return module_kinds().get(tariff.get("module")) if tariff.get("kind") == "module" else None
