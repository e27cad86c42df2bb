"""Load tenant folders into checked Tenant values: all of a tenant's checks pass, or nothing loads.

A tenant folder holds tenant.yaml, the Markdown of its content modules and its logo. Loading reads
every file once, so the digest and the document always describe the same bytes.
"""
from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from tenants.cases import read_cases
from tenants.compiled import CompiledTenant, compile_document, compile_tenant
from tenants.files import digest, read_files
from tenants.problems import Problem, TenantError, dotted as format_path, errors_of
from tenants.references import reference_problems
from tenants.rule_checks import rule_problems
from tenants.safe_yaml import decode_text, parse_yaml
from tenants.schema import schema_problems, tenant_schema as schema
from tenants.sweep import change_problems, sweep_problems

TENANT_FILE = "tenant.yaml"

__all__ = ["Problem", "Tenant", "TenantError", "CompiledTenant", "compile_tenant",
           "load_tenant", "load_tenants", "read_tenant", "tenant_folders", "format_path", "schema", "TENANT_FILE"]


@dataclass(frozen=True)
class Tenant:
    """One insurer's definition at one version.

    doc: the validated tenant.yaml as plain data, each content module with its Markdown text
    under `markdown`. digest: SHA-256 over all files (see tenants.files.digest). files:
    {relative POSIX name: bytes} of every file, e.g. for storing a snapshot of the version.
    tests: the checked tests.yaml (a YamlDocument, see tenants.cases), or None.
    """

    id: str
    folder: Path
    doc: dict
    digest: str
    files: dict = field(repr=False)
    tests: object = field(default=None, repr=False)


def load_tenant(folder) -> Tenant:
    """The tenant in `folder`, or TenantError listing every problem found (when one is an error)."""
    tenant, problems = read_tenant(folder)
    if tenant is None:
        raise TenantError(problems)
    return tenant


def load_tenants(root) -> tuple[list[Tenant], list[Problem]]:
    """Every tenant under `root` (each subfolder with a tenant.yaml) that loads, and every problem
    found (the errors of those that do not load, the warnings of all). One broken tenant never keeps
    the others from loading."""
    root = Path(root)
    if not root.is_dir():
        return [], [Problem(str(root), None, [], "no such folder")]
    tenants, problems = [], []
    for folder in tenant_folders(root):
        tenant, found = read_tenant(folder)
        problems.extend(found)
        if tenant is not None:
            tenants.append(tenant)
    return tenants, problems


def tenant_folders(root: Path) -> list[Path]:
    """The subfolders of `root` that hold a tenant.yaml, by name."""
    return sorted(p for p in root.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and (p / TENANT_FILE).is_file())


def read_tenant(folder) -> tuple[Tenant | None, list[Problem]]:
    """Run every check on one tenant folder: (Tenant, warnings) when no check finds an error, else
    (None, problems)."""
    folder = Path(folder)
    file = str(folder / TENANT_FILE)
    if not (folder / TENANT_FILE).is_file():
        return None, [Problem(file, None, [], f"no {TENANT_FILE} in {folder}")]
    files, problems = read_files(folder)
    if TENANT_FILE not in files:
        return None, problems or [Problem(file, None, [], f"cannot read {TENANT_FILE}")]
    try:
        document = parse_yaml(files[TENANT_FILE], file)
    except TenantError as error:
        return None, problems + error.problems
    if not isinstance(document.data, dict):
        return None, problems + [Problem(file, 1, [], "found a single value or a list, expected a mapping "
                                                       "of keys (id:, name:, ...) at the top of tenant.yaml")]
    found = schema_problems(document, file)
    if found:
        return None, problems + found
    problems += reference_problems(document, file, folder.name, files, str(folder))
    doc = copy.deepcopy(document.data)
    problems += _read_markdown(doc, files, folder)
    _fingerprint_documents(doc, files)
    compiled, found = compile_document(document, file)
    problems += found
    problems += rule_problems(document, file, compiled)
    problems += sweep_problems(document, file, compiled.formulas, compiled.family_formulas, compiled.eligibility)
    problems += change_problems(document, file, compiled.formulas, compiled.premium_changes, compiled.eligibility)
    tests, found = read_cases(files, folder, document.data)
    problems += found
    problems.sort(key=lambda p: (p.file != file, p.file, p.line or 0))
    if errors_of(problems):
        return None, problems
    return Tenant(id=doc["id"], folder=folder, doc=doc, digest=digest(files), files=files, tests=tests), problems


def _fingerprint_documents(doc, files):
    """Give each product document of a tariff its SHA-256 and size (keys `sha256`, `size`): what an offer
    records, and how the stored bytes are found again."""
    for tariff in doc["tariffs"]:
        for product_document in tariff.get("documents", []):
            raw = files.get(product_document["file"])
            if raw is not None:  # else reported by reference_problems
                product_document.update(sha256=hashlib.sha256(raw).hexdigest(), size=len(raw))


def _read_markdown(doc, files, folder) -> list[Problem]:
    """Put each content module's Markdown text into the document (key `markdown`; the English one, when
    the module has `file_en`, under `markdown_en`)."""
    problems = []
    for module in doc.get("content_modules", []):
        for key, target in (("file", "markdown"), ("file_en", "markdown_en")):
            raw = files.get(module.get(key))
            if raw is None:
                continue  # no such key, or reported by reference_problems
            try:
                module[target] = decode_text(raw, str(folder / module[key]), "content file")
            except TenantError as error:
                problems += error.problems
    return problems
