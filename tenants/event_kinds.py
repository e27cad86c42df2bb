"""The platform's business event kinds (tenants/event_kinds.yaml): label, form, effective date and
effects of each. Tenants choose from these; engine/events.py applies the effects."""
import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

KINDS_FILE = Path(__file__).with_name("event_kinds.yaml")
FAMILY_EFFECTS = ("add_family_member", "end_family_cover")


@dataclass(frozen=True)
class EventKind:
    name: str
    label: dict            # {de, en}
    effective_date: str    # the form field with the date the event takes effect
    effects: tuple         # ((effect name, its parameters), ...) in order

    @property
    def unpaid(self):
        """An unpaid period (parental leave, long sickness, ...): the tenant may set its unpaid_cover."""
        return any(name == "suspend_cover" for name, _ in self.effects)

    @property
    def leaving(self):
        """Ends cover because the person leaves the employer: the tenant may set its continuation right."""
        return any(name == "end_cover" and spec.get("person_transition") == "leave" for name, spec in self.effects)

    @property
    def family(self):
        """Adds or removes a family member: the tenant needs tariffs with a family_premium."""
        return any(name in FAMILY_EFFECTS for name, _ in self.effects)

    @property
    def form(self):
        """The platform form of this kind (forms/events/<name>.yaml)."""
        return "events/" + self.name


@functools.cache
def event_kinds():
    """name -> EventKind, in the file's order."""
    raw = yaml.safe_load(KINDS_FILE.read_text(encoding="utf-8"))
    return {name: EventKind(name, spec["label"], spec["effective_date"],
                            tuple(next(iter(effect.items())) for effect in spec["effects"]))
            for name, spec in raw.items()}
