"""`bkv tenants check`: check tenant folders and say every problem as file:line: level: path: message.

Errors fail the check; warnings are printed but fail it only with --strict."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from tenants.loader import TENANT_FILE, read_tenant, tenant_folders
from tenants.problems import Problem

DEFAULT_ROOT = Path(__file__).parent


def check_paths(paths, cases=None) -> list[Problem]:
    """Problems of the tenants at `paths`: folders of tenants, tenant folders or tenant.yaml files.
    `cases(tenant) -> problems` runs a tenant's tests.yaml (the engine does, engine/tenant_cases.py;
    `bkv tenants check` passes it); without it the cases are only checked, not run."""
    problems, seen = [], set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            problems.append(Problem(str(path), None, [], "no such file or folder"))
            continue
        if path.is_file():
            if path.name != TENANT_FILE:
                problems.append(Problem(str(path), None, [], f"expected a {TENANT_FILE} file, a tenant folder "
                                                             "or a folder of tenants"))
                continue
            folders = [path.parent]
        elif (path / TENANT_FILE).is_file():
            folders = [path]
        else:
            folders = tenant_folders(path)
            if not folders:
                problems.append(Problem(str(path), None, [],
                                        f"no tenant found: expected subfolders with a {TENANT_FILE}"))
        for folder in folders:
            if folder.resolve() not in seen:
                seen.add(folder.resolve())
                tenant, found = read_tenant(folder)
                problems.extend(found)
                if tenant is not None and cases is not None:
                    problems.extend(cases(tenant))
    return problems


def format_problems(problems) -> str:
    """One line per problem, `file:line: path: message`, as editors and CI logs link them."""
    return "\n".join(str(problem) for problem in problems)


def problems_as_json(problems) -> list[dict]:
    """[{"file", "line", "level" (error | warning), "path" (dotted, e.g. tariffs[1].premium.formula),
    "message"}, ...]"""
    return [problem.as_dict() for problem in problems]


def summary(problems) -> str:
    """'3 problem(s) found: 1 error(s), 2 warning(s)'."""
    errors = sum(1 for problem in problems if problem.is_error)
    return f"{len(problems)} problem(s) found: {errors} error(s), {len(problems) - errors} warning(s)"


def failed(problems, strict: bool = False) -> bool:
    """Whether the check fails: on an error, or with `strict` on any problem."""
    return any(problem.is_error or strict for problem in problems)


def main(paths=(), as_json: bool = False, out=None, strict: bool = False, cases=None) -> int:
    """Check and print; 1 when an error (with `strict`: any problem) was found, else 0. Without paths:
    the bundled tenants. `cases`: see check_paths."""
    out = out or sys.stdout
    paths = list(paths) or [DEFAULT_ROOT]
    ran = []

    def counted(tenant):
        ran.append(len(tenant.tests.data["cases"]) if tenant.tests is not None else 0)
        return cases(tenant)

    problems = check_paths(paths, counted if cases is not None else None)
    tests = ""
    if cases is not None:
        tests = f" ({sum(ran)} test case(s) of {len(ran)} tenant(s) run)" if ran else \
            " (test cases run once a tenant has no errors)"
    if as_json:
        out.write(json.dumps(problems_as_json(problems), ensure_ascii=False, indent=2) + "\n")
    elif problems:
        note = "" if failed(problems, strict) else " (warnings do not fail the check; --strict makes them)"
        out.write(format_problems(problems) + f"\n{summary(problems)}{note}{tests}\n")
    else:
        out.write(f"no problems in {', '.join(map(str, paths))}{tests}\n")
    return 1 if failed(problems, strict) else 0
