"""What went wrong in a tenant, said so an insurer's analyst can fix it: file, line, path, message."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One finding. `path` is the place in the YAML document (keys and list indices)."""

    file: str
    line: int | None
    path: list = field(default_factory=list)
    message: str = ""

    @property
    def dotted_path(self) -> str:
        return dotted(self.path)

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "path": self.dotted_path, "message": self.message}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.dotted_path}: {self.message}" if self.path else f"{where}: {self.message}"


class TenantError(ValueError):
    """A tenant could not be loaded; `problems` says every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid tenant"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


def dotted(path) -> str:
    """["tariffs", 1, "premium", "formula"] -> "tariffs[1].premium.formula"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
