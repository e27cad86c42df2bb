"""Imports point down only: web -> engine -> (tenants -> rules, forms). Only the rules adapter imports durable."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("web", "engine", "tenants", "rules", "forms")
MAY_IMPORT = {
    "web": {"engine", "tenants", "rules", "forms"},
    "engine": {"tenants", "rules", "forms"},
    "tenants": {"rules", "forms"},
    "rules": set(),
    "forms": set(),
}


def imports_of(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno


def test_imports_point_down_only():
    wrong = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for name, line in imports_of(path):
                if name in PACKAGES and name != package and name not in MAY_IMPORT[package]:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert wrong == []


def test_only_the_rules_adapter_imports_durable():
    users = sorted(str(path.relative_to(ROOT)) for package in PACKAGES for path in (ROOT / package).rglob("*.py")
                   if any(name == "durable" for name, _ in imports_of(path)))
    assert users == ["rules/adapter.py"]


def test_no_python_file_names_a_demo_tenant():
    """Everything an insurer differs in belongs in its YAML, never in a tenant-specific branch."""
    slugs = [p.name for p in (ROOT / "tenants").iterdir() if (p / "tenant.yaml").exists()]
    assert slugs
    offenders = [f"{path.relative_to(ROOT)}: {slug}" for package in PACKAGES
                 for path in (ROOT / package).rglob("*.py") for slug in slugs
                 if f'"{slug}"' in path.read_text(encoding="utf-8") or f"'{slug}'" in path.read_text(encoding="utf-8")]
    assert offenders == []


def test_web_reaches_the_database_only_through_engine_functions():
    """Thin web: queries (and the tenant scoping they carry) live in the engine, so the HTML portals,
    the API and the CLI all go through the same door. web/ imports no model and no database module."""
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name}" for path in (ROOT / "web").rglob("*.py")
             for name, line in _full_imports(path) if name in ("engine.models", "engine.db")]
    assert wrong == []


def _full_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno
            if node.module == "engine":
                for alias in node.names:
                    yield f"engine.{alias.name}", node.lineno
