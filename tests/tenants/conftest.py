"""Fixtures for tenant tests: copies of the demo tenants in a temporary folder, edited as text."""
import pathlib
import shutil
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TENANTS = ROOT / "tenants"

# `.venv/bin/pytest` (unlike `python -m pytest`) does not put the project on sys.path; pytest puts tests/
# there, whose folders forms/ and tenants/ then import as empty namespace packages. A regular package
# anywhere on sys.path wins over those, so appending the project root is enough.
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))


class TenantCopy:
    """A demo tenant copied to a temporary folder, so a test can break it the way an author would."""

    def __init__(self, folder: pathlib.Path):
        self.folder = folder
        self.yaml = folder / "tenant.yaml"

    @property
    def text(self) -> str:
        return self.yaml.read_text(encoding="utf-8")

    def replace(self, old: str, new: str, count: int = 1) -> "TenantCopy":
        text = self.text
        assert text.count(old) >= count, f"{old!r} not in tenant.yaml"
        self.yaml.write_text(text.replace(old, new, count), encoding="utf-8")
        return self

    def line_of(self, snippet: str, occurrence: int = 1) -> int:
        """1-based line of the n-th line containing `snippet`."""
        hits = [number for number, line in enumerate(self.text.splitlines(), 1) if snippet in line]
        assert len(hits) >= occurrence, f"{snippet!r} found {len(hits)} times"
        return hits[occurrence - 1]


@pytest.fixture
def demo_copy(tmp_path):
    """demo_copy("lumen") -> TenantCopy of tenants/lumen in tmp_path/lumen."""
    def copy(slug: str = "lumen") -> TenantCopy:
        target = tmp_path / slug
        shutil.copytree(TENANTS / slug, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        return TenantCopy(target)
    return copy
