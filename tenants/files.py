"""The files a tenant consists of: read once, within limits, hashed in a stable order.

Every regular file below the tenant folder belongs to the tenant, except hidden ones (a name
starting with ".", e.g. .DS_Store or .git) and __pycache__. Symbolic links are refused so that a
tenant can never pull in a file from outside its folder.
"""
from __future__ import annotations

import hashlib
import os
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from tenants.problems import Problem, TenantError
from tenants.safe_yaml import decode_text

MAX_FILES = 200
MAX_FILE_BYTES = 5_000_000
MAX_TOTAL_BYTES = 20_000_000
MAX_LOGO_BYTES = 500_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PDF_SIGNATURE = b"%PDF-"


def read_files(folder: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """{relative POSIX name: bytes} of every file of the tenant, and the problems met reading them."""
    files, problems, total = {}, [], 0
    for top, dirs, names in os.walk(folder, followlinks=False):
        top = Path(top)
        for name in sorted(dirs):
            if _ignored(name):
                dirs.remove(name)
            elif (top / name).is_symlink():
                problems.append(Problem(str(top / name), None, [], "symbolic links are not allowed in a tenant folder"))
                dirs.remove(name)
        dirs.sort()
        for name in sorted(names):
            path = top / name
            if _ignored(name):
                continue
            if path.is_symlink() or not path.is_file():
                problems.append(Problem(str(path), None, [], "only regular files are allowed in a tenant folder "
                                                              "(no symbolic links, sockets or devices)"))
                continue
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                problems.append(Problem(str(path), None, [],
                                        f"file is {size:,} bytes; at most {MAX_FILE_BYTES:,} are allowed"))
                continue
            total += size
            if len(files) >= MAX_FILES or total > MAX_TOTAL_BYTES:
                problems.append(Problem(str(folder), None, [], f"a tenant folder may hold at most {MAX_FILES} files "
                                                               f"and {MAX_TOTAL_BYTES:,} bytes"))
                return files, problems
            try:
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
            except OSError as exc:
                problems.append(Problem(str(path), None, [], f"cannot read file: {exc.strerror or exc}"))
    return dict(sorted(files.items())), problems


def digest(files: dict[str, bytes]) -> str:
    """SHA-256 over every file: name and length framed, so no two file sets hash alike by accident."""
    sha = hashlib.sha256()
    for name in sorted(files):
        data = files[name]
        sha.update(name.encode("utf-8") + b"\0" + str(len(data)).encode("ascii") + b"\0")
        sha.update(data)
    return sha.hexdigest()


def _ignored(name: str) -> bool:
    return name.startswith(".") or name == "__pycache__"


def check_logo(raw: bytes, file: str, path: list) -> list[Problem]:
    """A logo is a PNG, or an SVG without scripts, event handlers, external references or DTDs."""
    if len(raw) > MAX_LOGO_BYTES:
        return [Problem(file, None, path, f"logo is {len(raw):,} bytes; at most {MAX_LOGO_BYTES:,} are allowed")]
    if file.lower().endswith(".png"):
        ok = raw.startswith(PNG_SIGNATURE)
        return [] if ok else [Problem(file, None, path, "logo is named .png but is not a PNG image")]
    try:
        text = decode_text(raw, file, "logo")
    except TenantError as error:
        return [Problem(p.file, p.line, path, p.message) for p in error.problems]
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        return [Problem(file, None, path, "SVG logo must not contain a DOCTYPE or ENTITY declaration")]
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        return [Problem(file, exc.position[0], path, f"SVG logo is not well-formed XML: {exc}")]
    if _local(root.tag) != "svg":
        return [Problem(file, None, path, f"SVG logo must have <svg> as its root element, found <{_local(root.tag)}>")]
    for element in root.iter():
        tag = _local(element.tag)
        if tag in ("script", "foreignObject"):
            return [Problem(file, None, path, f"SVG logo must not contain <{tag}> elements")]
        for attribute, value in element.attrib.items():
            name = _local(attribute)
            if name.lower().startswith("on"):
                return [Problem(file, None, path, f"SVG logo must not contain event handlers ({name}=...)")]
            if name == "href" and not value.startswith("#"):
                return [Problem(file, None, path, f"SVG logo must not refer to other files or links ({value!r})")]
    return []


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else str(tag)
