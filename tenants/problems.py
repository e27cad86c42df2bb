"""What went wrong in a tenant, said so an insurer's analyst can fix it: file, line, path, message, level.

An error keeps a tenant from loading; a warning is shown but the tenant loads (unless the author
asks `bkv tenants check --strict`, which fails on warnings too)."""
from __future__ import annotations

from dataclasses import dataclass, field

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    """One finding. `path` is the place in the YAML document (keys and list indices); `level` is
    "error" or "warning"."""

    file: str
    line: int | None
    path: list = field(default_factory=list)
    message: str = ""
    level: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    @property
    def dotted_path(self) -> str:
        return dotted(self.path)

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "level": self.level, "path": self.dotted_path,
                "message": self.message}

    def __str__(self) -> str:
        """`file:line: level: path: message`, the form compilers use, so editors and CI logs link it."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        place = f"{self.dotted_path}: " if self.path else ""
        return f"{where}: {self.level}: {place}{self.message}"


def warning(file, line, path, message) -> Problem:
    return Problem(file, line, list(path), message, WARNING)


def errors_of(problems) -> list[Problem]:
    """The problems that keep a tenant from loading."""
    return [problem for problem in problems if problem.is_error]


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
