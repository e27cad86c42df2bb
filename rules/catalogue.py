"""Field catalogues of the platform's records (`catalogues/<record>.yaml`): each field's form definition and
where else it appears (upload column, rules, API, export). They live here, the lowest layer, because rules
must read them and may import nothing of ours; everyone above imports this module."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import RuleError

FOLDER = Path(__file__).resolve().parent / "catalogues"
OWN_KEYS = ("upload", "rules", "api", "export", "stored_as", "event", "prefill")
UPLOAD_KEYS = ("column", "aliases", "leading_zero", "derived_from")
RULES = ("fact", "criterion", "age")


@dataclass(frozen=True)
class Field:
    """One field of a record. `form`: its definition as forms.load_form takes it; `column`: the German
    upload header (None: not in the upload); `spellings`: option value -> further spellings a file may use."""
    name: str
    type: str
    form: dict
    column: str | None = None
    aliases: tuple = ()
    leading_zero: bool = False
    spellings: tuple = ()          # ((value, (spelling, ...)), ...)
    rules: str | None = None       # fact | criterion | age (a criterion only with a justification)
    api: str = ""                  # the name the API shows it under ("": not shown)
    export: bool = False
    stored_as: str = ""
    event: bool = False            # a business event's preconditions read it too
    prefill: str = ""              # the record whose field of the same name fills it in when it is made
    derived_from: tuple = ()       # KeySource: columns that give its value in a file without its own column

    @property
    def required(self):
        return bool(self.form.get("required"))

    @property
    def column_name(self):
        """The model column that stores it."""
        return self.stored_as or self.name


def _field(item, path):
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise RuleError("expected a field with a name", path)
    unknown = set(item.get("upload") or {}) - set(UPLOAD_KEYS)
    if unknown or item.get("rules", "fact") not in RULES or item.get("event") and not item.get("rules"):
        raise RuleError("unknown upload key %s or rules value %r (event needs rules)" % (sorted(unknown), item.get("rules")),
                        path)
    upload = item.get("upload") or {}
    options = item.get("options") or []
    form = {key: value for key, value in item.items() if key not in OWN_KEYS}
    if options:
        form["options"] = [{key: value for key, value in option.items() if key != "upload"} for option in options]
    return Field(name=item["name"], type=item.get("type"), form=form, column=upload.get("column"),
                 aliases=tuple(upload.get("aliases", ())), leading_zero=bool(upload.get("leading_zero")),
                 spellings=tuple((str(o["value"]), tuple(o.get("upload", ()))) for o in options),
                 rules=item.get("rules"), api=_api_name(item), export=bool(item.get("export")),
                 stored_as=item.get("stored_as", ""), event=bool(item.get("event")), prefill=item.get("prefill", ""),
                 derived_from=key_sources(upload["derived_from"], options, path) if upload.get("derived_from") else ())


@dataclass(frozen=True)
class KeySource:
    """A column of coded keys from which the upload derives a field's value (`catalogues/<table>.yaml`):
    `values` maps a key (or its digit at `position` of a `digits`-long key) to an option value of the field
    or to the name of the next source that decides."""
    name: str
    column: str
    label: dict
    aliases: tuple
    values: dict
    digits: int = 0
    position: int = 0


def key_sources(table, options, path):
    """The key sources of `catalogues/<table>.yaml`, checked: every value leads to an option of the field."""
    items = yaml.safe_load((FOLDER / (table + ".yaml")).read_text(encoding="utf-8"))
    sources = tuple(KeySource(name=item["name"], column=item["column"], label=item["label"],
                              aliases=tuple(item.get("aliases", ())),
                              values={str(k): str(v) for k, v in item["values"].items()},
                              digits=item.get("digits", 0), position=item.get("position", 0)) for item in items)
    allowed = {str(o["value"]) for o in options} | {source.name for source in sources[1:]}
    for source in sources:
        wrong = sorted(set(source.values.values()) - allowed)
        if wrong:
            raise RuleError(f"{table}.yaml: {source.name} leads to {wrong}, neither an option nor a later source", path)
    return sources


def _api_name(item):
    """`api: true` shows a field under its name, `api: <name>` under another (the Company's `name`)."""
    api = item.get("api")
    return item["name"] if api is True else api if isinstance(api, str) else ""


def form_data(fields) -> list:
    """The fields' form part, as forms.load_form takes it."""
    return [field.form for field in fields]


def from_data(data: list) -> tuple[Field, ...]:
    """The fields a catalogue's YAML data lists (a test may pass a changed copy)."""
    if not isinstance(data, list):
        raise RuleError("a catalogue is a list of fields", [])
    return tuple(_field(item, [index]) for index, item in enumerate(data))


def data(record: str) -> list:
    """The YAML data of a record's catalogue, e.g. "employee"."""
    return yaml.safe_load((FOLDER / (record + ".yaml")).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def load(record: str) -> tuple[Field, ...]:
    """The fields of a record's catalogue, in their order (the upload's, the form's, the API's)."""
    return from_data(data(record))
