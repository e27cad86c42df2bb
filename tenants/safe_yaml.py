"""Read untrusted YAML into plain data, remembering the line of every key and list item.

Built on yaml.SafeLoader's parser and composer; objects are built here from the node graph, so
nothing but plain data (dict, list, str, int, float, bool, None) can come out. Choices:

- Mapping keys are always text, taken as written: `on:` is "on" and `300:` is "300" (YAML 1.1
  would turn them into True and 300). Only true/false are booleans: yes/no/on/off stay text.
- Duplicate keys are refused (YAML allows the last one to win silently).
- Dates stay text (2026-01-01 is "2026-01-01"), so the data is JSON data and survives a JSON
  snapshot unchanged; the rules compiler reads ISO dates where it needs dates.
- Tags other than the plain JSON-like ones (str, int, float, bool, null, seq, map) are refused:
  no !!python/..., no !!binary, no !!timestamp, no !!set, no local !tags. Merge keys (<<) too.
- Aliases (*name) are allowed, but may add at most MAX_ALIAS_NODES nodes when expanded, and may
  not refer to themselves: a "billion laughs" document is refused after a walk over its
  compact node graph, without ever expanding it.
- Files larger than MAX_BYTES, with NUL bytes, not UTF-8, or without content are refused.

Every failure is a TenantError carrying one Problem(file, line, path, message); no traceback.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from tenants.problems import Problem, TenantError

MAX_BYTES = 1_000_000
MAX_ALIAS_NODES = 10_000

_CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = {_CORE + name for name in ("str", "int", "float", "bool", "null", "seq", "map")}


class _Loader(yaml.SafeLoader):
    """SafeLoader whose only booleans are true/false (as in YAML 1.2) and that reads dates as text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_CORE + "bool", _CORE + "timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _CORE + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


@dataclass
class YamlDocument:
    """Plain data plus the line (1-based) of every key and list item, by document path."""

    data: object
    lines: dict = field(default_factory=dict)

    def line_of(self, path) -> int | None:
        """The line of `path`, or of its nearest ancestor that was written in the file."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def decode_text(raw: bytes, file: str, what: str = "file", max_bytes: int = MAX_BYTES) -> str:
    """The text of a file that must be UTF-8 text with content, or a TenantError saying why not."""
    if len(raw) > max_bytes:
        _fail(file, None, f"{what} is {len(raw):,} bytes; at most {max_bytes:,} are allowed")
    if b"\0" in raw:
        _fail(file, raw.count(b"\n", 0, raw.index(b"\0")) + 1,
              f"{what} is binary (contains NUL bytes); expected UTF-8 text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _fail(file, raw.count(b"\n", 0, exc.start) + 1,
              f"{what} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); save it as UTF-8")
    if not text.strip():
        _fail(file, None, f"{what} is empty")
    return text


def parse_yaml(raw: bytes, file: str) -> YamlDocument:
    """Parse one YAML document from bytes; raise TenantError with one Problem on any failure."""
    text = decode_text(raw, file, "YAML file")
    loader = None
    try:
        loader = _Loader(text)
        root = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        _fail(file, text.count("\n", 0, exc.position) + 1,
              f"the control character #x{code:04x} is not allowed in YAML; remove it")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        if mark:
            message += f" (column {mark.column + 1})"
        if "flow" in message:
            message += "; text containing : , ? # [ ] { } must be put in quotes"
        _fail(file, mark.line + 1 if mark else None, f"not valid YAML: {message}")
    except yaml.YAMLError as exc:
        _fail(file, None, f"not valid YAML: {exc}")
    except RecursionError:
        _fail(file, None, "YAML document is nested too deeply")
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        _fail(file, None, "YAML file has no content (only comments or blank lines)")
    try:
        _check_aliases(root, file)
        builder = _Builder(loader, file)
        data = builder.build(root, ())
    except RecursionError:
        _fail(file, None, "YAML document is nested too deeply")
    return YamlDocument(data, builder.lines)


def _fail(file, line, message, path=()):
    raise TenantError([Problem(file, line, list(path), message)])


def _line(node) -> int:
    return node.start_mark.line + 1


def _check_aliases(root, file):
    """Refuse self-referring aliases and aliases that expand to too many nodes."""
    written, sizes, open_nodes = set(), {}, set()

    def size(node):
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            _fail(file, _line(node), "an alias refers to the node that contains it (recursive alias)")
        open_nodes.add(key)
        written.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(item) for item in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        open_nodes.discard(key)
        sizes[key] = total
        return total

    expanded = size(root)
    if expanded - len(written) > MAX_ALIAS_NODES:
        _fail(file, None, f"aliases (*name) expand to {expanded - len(written):,} extra nodes; at most "
                          f"{MAX_ALIAS_NODES:,} are allowed (this looks like a 'billion laughs' document)")


class _Builder:
    """Turns a composed node graph into plain data and records lines by path."""

    def __init__(self, loader, file):
        self.loader, self.file, self.lines = loader, file, {}

    def build(self, node, path):
        self._check_tag(node, path)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.lines[path + (index,)] = _line(item)
                items.append(self.build(item, path + (index,)))
            return items
        mapping, first_line = {}, {}
        for key_node, value_node in node.value:
            key = self._key(key_node, path)
            if key in mapping:
                _fail(self.file, _line(key_node),
                      f"duplicate key '{key}' (first on line {first_line[key]}); each key may appear once",
                      path + (key,))
            first_line[key] = _line(key_node)
            self.lines[path + (key,)] = _line(key_node)
            mapping[key] = self.build(value_node, path + (key,))
        return mapping

    def _key(self, node, path):
        if node.tag == _CORE + "merge":
            _fail(self.file, _line(node), "merge keys (<<) are not supported; write the keys out, "
                                          "or use an alias (*name) for a whole value", path)
        self._check_tag(node, path)
        if not isinstance(node, ScalarNode):
            _fail(self.file, _line(node), "a key must be plain text, not a list or mapping", path)
        return node.value

    def _scalar(self, node, path):
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            _fail(self.file, _line(node),
                  f"cannot read {node.value!r} as {_short_tag(node.tag)}: {exc}", path)

    def _check_tag(self, node, path):
        if node.tag in ALLOWED_TAGS:
            return
        tag = _short_tag(node.tag)
        if "python/" in node.tag:
            why = "tags that build program objects are refused"
        else:
            why = "only plain values (text, numbers, true/false, null, lists, mappings) are allowed"
        _fail(self.file, _line(node), f"tag {tag} is not allowed: {why}", path)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
