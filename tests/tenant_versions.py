"""Tests that change a copy of a demo tenant put it in force as the insurer would: `bkv tenants load`
stores it as a draft, then an activation from today makes it live (engine/releases). tests/conftest.py
takes the test's releases out again after each test."""
import pathlib

from engine import clock, registry, releases
from tenants.files import digest, read_files


def load_live(root):
    """registry.sync(root), then every tenant that loaded activated from today unless its version is
    live already; returns sync's report."""
    report = registry.sync(str(root))
    for slug, status, _ in report:
        if status not in ("new", "unchanged"):
            continue
        files, _ = read_files(pathlib.Path(root) / slug)
        version = releases.find(slug, digest(files))
        if registry.in_force(slug, clock.today()).id != version.id:
            releases.activate(None, slug, version.digest, clock.today())
    return report
