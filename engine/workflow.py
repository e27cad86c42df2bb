"""State machines declared as data (engine/workflows/*.yaml) and the one function that fires them.

`fire` derives the actor's roles on the object (broker of it, member of its employer, staff of its
insurer; no actor = the system), checks them, the current state and the guards, changes the state
with optimistic locking (a `lock_version` column), writes the audit entry and runs the effects — all
in one transaction. Two people firing at once: exactly one wins, the other gets a Conflict.
`allowed` answers which transitions an actor may take now, so pages draw only those buttons.
Every guard and effect a machine names must be registered (`check`, run when the app starts).
"""
import logging
import pathlib
from dataclasses import dataclass, field

import yaml

from engine import accounts, audit, signals
from engine.db import transaction
from engine.errors import Conflict, DomainError, Forbidden

logger = logging.getLogger(__name__)

DEFINITIONS = pathlib.Path(__file__).with_name("workflows")
GUARDS = {}   # name -> function(obj, ctx) raising DomainError when the transition may not happen
EFFECTS = {}  # name -> function(obj, ctx) run inside the transaction after the state changed


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple
    target: str
    roles: tuple
    guards: tuple = ()
    effects: tuple = ()


@dataclass(frozen=True)
class Workflow:
    name: str
    initial: str
    states: tuple
    transitions: dict = field(default_factory=dict)
    column: str = "state"  # the model's column holding the state

    def available(self, state, roles):
        return [t for t in self.transitions.values() if state in t.sources and set(t.roles) & set(roles)]


@dataclass
class Context:
    """What a guard or effect gets besides the object: who fires, in which role, with which input."""
    actor: object
    role: str
    transition: Transition
    before: str
    data: dict = field(default_factory=dict)


def guard(name):
    def register(fn):
        GUARDS[name] = fn
        return fn
    return register


def effect(name):
    def register(fn):
        EFFECTS[name] = fn
        return fn
    return register


def _load(path):
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    states = tuple(raw["states"])
    transitions = {}
    for name, spec in raw["transitions"].items():
        sources = tuple(spec["from"] if isinstance(spec["from"], list) else [spec["from"]])
        unknown = [s for s in sources + (spec["to"],) if s not in states]
        if unknown:
            raise ValueError(f"{path.name}: transition {name} names unknown states {unknown}")
        transitions[name] = Transition(name, sources, spec["to"], tuple(spec["roles"]),
                                       tuple(spec.get("guards", ())), tuple(spec.get("effects", ())))
    return Workflow(raw["name"], raw["initial"], states, transitions, raw.get("column", "state"))


_workflows = {}


def get(name):
    if not _workflows:
        for path in sorted(DEFINITIONS.glob("*.yaml")):
            wf = _load(path)
            _workflows[wf.name] = wf
    return _workflows[name]


def _owner(obj, name):
    """The object's employer_id or tenant_id, its own or its contract's."""
    value = getattr(obj, name, None)
    if value is None and getattr(obj, "contract_id", None) is not None:
        value = getattr(obj.contract, name, None)
    return value


def roles_of(actor, obj):
    """The roles `actor` holds on `obj`: broker (its broker), employer (a member of its employer),
    insurer (staff of its insurer); `None` is the system acting on its own."""
    if actor is None:
        return {"system"}
    roles = set()
    if getattr(obj, "broker_id", None) == actor.id:
        roles.add("broker")
    employer = _owner(obj, "employer_id")
    if employer is not None and accounts.works_for(actor, employer):
        roles.add("employer")
    tenant = _owner(obj, "tenant_id")
    if tenant is not None and accounts.has_role(actor, "insurer", tenant):
        roles.add("insurer")
    return roles


def allowed(obj, workflow_name, actor):
    """Names of the transitions `actor` may take on `obj` in its current state (guards aside)."""
    return {t.name for t in get(workflow_name).available(obj.state, roles_of(actor, obj))}


def fire(obj, workflow_name, transition_name, actor, data=None, changes=None):
    """Move `obj` (a model with `state` and `lock_version`) along a transition; returns the fresh object.

    `changes` are further column values written with the state change (e.g. a decline reason).
    """
    wf = get(workflow_name)
    transition = wf.transitions.get(transition_name)
    if transition is None:
        raise DomainError(f"Unbekannter Schritt {transition_name!r}.", f"Unknown step {transition_name!r}.")
    role = next((r for r in transition.roles if r in roles_of(actor, obj)), None)
    if role is None:
        raise Forbidden("Diese Rolle darf diesen Schritt nicht ausführen.", "This role may not take this step.")
    tenant = _owner(obj, "tenant_id")
    model = type(obj)
    with transaction():
        current = model.get_by_id(obj.id)
        if current.state not in transition.sources or current.lock_version != obj.lock_version:
            raise Conflict("Der Vorgang wurde inzwischen geändert (Status: %s). Bitte laden Sie die Seite neu."
                           % current.state,
                           "This has been changed in the meantime (status: %s). Please reload the page."
                           % current.state)
        ctx = Context(actor=actor, role=role, transition=transition, before=current.state, data=data or {})
        for name in transition.guards:
            GUARDS[name](current, ctx)
        values = {"state": transition.target, "lock_version": current.lock_version + 1, **(changes or {})}
        updated = (model.update(**values)
                   .where((model.id == current.id) & (model.lock_version == current.lock_version)).execute())
        if updated != 1:
            raise Conflict("Jemand anderes war schneller. Bitte laden Sie die Seite neu.",
                           "Someone else was quicker. Please reload the page.")
        fresh = model.get_by_id(current.id)
        audit.record(actor, f"{workflow_name}.{transition_name}", workflow_name, current.id, tenant=tenant,
                     before={"state": current.state}, after={"state": fresh.state, **_plain(changes)},
                     employer=getattr(fresh, "employer_id", None))
        for name in transition.effects:
            EFFECTS[name](fresh, ctx)
        signals.transitioned.send(f"{workflow_name}.{transition_name}", obj=fresh, ctx=ctx)
    return fresh


def move(model, workflow_name, transition_name, actor, ids, scope, changes=None, where=None, after=None, also=None):
    """Take a transition for many records at once (no per-record lock version): one conditional
    UPDATE moves those still in a source state (and matching `where`), so of two simultaneous moves
    one wins per record. `scope` is what the actor's roles are judged on (the contract of the
    employees); returns the moved ids, each with an audit entry (`after` adds to it). `also(id)` is
    called for each moved record once it is moved and returns the audit entries (action, object type,
    object id, after) of what goes with its step (it may make those records): written right after the
    record's own entry, in the same statement."""
    machine = get(workflow_name)
    transition, column = machine.transitions[transition_name], machine.column
    role = next((r for r in transition.roles if r in roles_of(actor, scope)), None)
    if role is None:
        raise Forbidden("Diese Rolle darf diesen Schritt nicht ausführen.", "This role may not take this step.")
    field = getattr(model, column)
    values = {field: transition.target, **{getattr(model, name): value for name, value in (changes or {}).items()}}
    with transaction():
        condition = model.id.in_(list(ids)) & field.in_(transition.sources)
        moved = [row[0] for row in model.update(values).where(condition if where is None else condition & where)
                 .returning(model.id).tuples().execute()]
        entries = []
        for i in moved:
            entries.append((f"{workflow_name}.{transition_name}", workflow_name, i,
                            {column: transition.target, **(after or {})}))
            entries.extend(also(i) if also else ())
        audit.record_each(actor, entries, _owner(scope, "tenant_id"), _owner(scope, "employer_id"))
    return moved


def born(workflow_name, state):
    """`state` for a record being created: one its machine may start in (`initial`, a state or a list)."""
    initial = get(workflow_name).initial
    if state not in (initial if isinstance(initial, (list, tuple)) else (initial,)):
        raise ValueError(f"a {workflow_name} cannot start in {state!r}")
    return state


def drawing():
    """Every machine as a Mermaid state diagram (Markdown), for docs/architecture.md."""
    parts = []
    for path in sorted(DEFINITIONS.glob("*.yaml")):
        machine = _load(path)
        starts = machine.initial if isinstance(machine.initial, (list, tuple)) else [machine.initial]
        lines = [f"### {machine.name}", "", "```mermaid", "stateDiagram-v2"]
        lines += [f"    [*] --> {state}" for state in starts]
        for t in machine.transitions.values():
            lines += [f"    {source} --> {t.target}: {t.name} ({', '.join(t.roles)})" for source in t.sources]
        parts.append("\n".join(lines + ["```", ""]))
    return "\n".join(parts)


def check():
    """Every guard and effect named by any machine is registered; raises naming the missing ones."""
    missing = sorted({f"{path.stem}: {kind} {name}" for path in DEFINITIONS.glob("*.yaml")
                      for t in _load(path).transitions.values()
                      for kind, names, known in (("guard", t.guards, GUARDS), ("effect", t.effects, EFFECTS))
                      for name in names if name not in known})
    if missing:
        raise RuntimeError("workflow steps without code: " + "; ".join(missing))


def require_comment(comment):
    """A rejection or question names its reason; also checked once before a bulk rejection (engine/work_queue.py)."""
    if not (comment or "").strip():
        raise DomainError("Bitte geben Sie eine Begründung an.", "Please give a reason.", field="comment")


@guard("comment_given")
def _comment_given(obj, ctx):
    require_comment(ctx.data.get("comment"))


def _plain(changes):
    return {k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v)) for k, v in (changes or {}).items()}
