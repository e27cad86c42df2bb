"""The only module that imports durable-rules: a per-process host, used under one lock.

durable-rules (2.0.28) keeps process-wide state in C and is not thread-safe. What this module
does about it, and why (see /work/shared/DURABLE_RULES.md and durable/engine.py):

* `engine.Host.__init__` calls `self._run()`, which starts two self-rescheduling
  `threading.Timer` loops (action dispatch and timers). With them running, posts from several
  threads crashed the process and actions ran on a background thread. `_Host` overrides `_run`
  to start nothing: we use neither timers nor queued actions, so every action runs
  synchronously inside `post`/`assert_facts`, in the calling thread.
* One process-wide lock serialises every call into durable-rules. Messages are built before
  the lock is taken, so only the engine's own work is serialised.
* Each chunk of up to CHUNK fact sets gets a fresh session id and `delete_state` in `finally`
  (a ruleset holds at most 1024 live sessions). durable-rules frees uninitialised pointers when
  a session that never ran an action is deleted (segfault), so every session is opened and
  closed with a control event that runs a no-op action. The closing event also runs the actions
  queued for facts of a batch in which another fact matched nothing: `assert_facts` raises
  MessageNotHandledException before running them, and that means "no rule matched".
* Each fact set is a *fact*, not an event: an event fires only the first matching rule, a fact
  every rule it matches. Every rule also requires the batch index field, so it never matches
  durable's session-state fact (a rule matching only absent fields would loop forever on it).
* Every rule has a `cap` of CHUNK: its action runs once per session with all the fact sets it
  matched, instead of once per fact set (each action costs durable a JSON round trip of the
  session state; with per-fact actions that was most of the engine's time).
* Registration mutates the definition, so we register a deep copy; a name can be registered
  once per host, so names are versioned by content (`RuleSet.durable_name`) and registered on
  first use. Action exceptions land in the session state; we check it and raise.
* durable-rules crashes the process when a fact of a batch cannot be parsed (it then runs
  actions for an uninitialised session): e.g. a float written with an exponent. Messages are
  therefore checked to hold only text and 64-bit integers before they reach the engine
  (`rules.conditions` encodes numbers, dates and booleans as integers).
* durable-rules has fixed limits that fail loudly or, worse, silently (measured on 2.0.28): a
  fact may pass at most 64 alpha nodes under one node at once (error 303), a ruleset may hold at
  most 127 absence tests (`$nex`; at 128 one rule fired wrongly, at 129 error 107), and a rule
  may expand to at most ~8192 alternatives, and a rule's condition may hold at most 15 groups
  (`$and`/`$or`, our wrapper's included: each writes two entries into the rule's beta node,
  which takes 31; both are error 113, ERR_EXPRESSION_LIMIT_EXCEEDED, at registration, long
  after the tenant was checked); a fact passing k alternatives of a rule runs its action k times.
  `check_expression` refuses a single rule beyond half of these (the group limit exactly; the
  compiler turns that into a RuleError at the rule), and `plan` packs the rules of a RuleSet
  into as many durable rulesets as needed to stay below them.
* After `os.fork` (gunicorn) the child gets a new lock and a new host: the parent's lock may be
  held by a thread that does not exist in the child.
"""

import copy
import itertools
import logging
import os
import threading

from durable import engine

from rules.errors import EvaluationError

logger = logging.getLogger(__name__)

INDEX = "bkv_e"          # message field: the fact set's position in the batch
CONTROL = "bkv_control"  # message field of the open/close control events
CHUNK = 100              # fact sets per session (of 20, 50, 100 and 200, 100 measured fastest)
LOCK_TIMEOUT = 300       # seconds; a stuck engine must not hang every request forever

MAX_WIDTH = 32           # alternatives a fact may pass at once below one node (fails above 64)
MAX_MATCHES = 32         # alternatives of one rule a fact may pass: each runs the action once
MAX_ABSENCE_TESTS = 64   # `$nex` tests per durable ruleset (wrong answers from 128)
MAX_ALTERNATIVES = 4096  # alternatives one rule expands to (refused from ~8192)
MAX_GROUPS = 14          # $and/$or of one rule's condition; _definition adds one (error 113 from 16)

_fired = []  # (rule key, batch index) recorded by the action; only touched under the lock
_plans = {}  # durable name -> [(part name, expressions)]


def record_match(c):
    """Action of every rule: note which rule matched which fact sets.

    Rules have a `cap` (see _definition), so one action gets every fact set of the session that
    matched, as a list of {binding: fact}; the binding name is the rule key. Closure offers no
    public way to read its bindings, so this reads `Content._d` (and `c._m` for a single match;
    durable-rules 2.0.28, pinned in pyproject.toml).
    """
    matches = [c._m] if getattr(c, "_m", None) is not None else [one._d for one in c.m]
    for bindings in matches:
        for rule_key, message in bindings.items():
            _fired.append((rule_key, message[INDEX]))


def control(c):
    """Action of the control rule: nothing; running it initialises and flushes the session."""


ACTIONS = {"bkv_record": record_match, "bkv_control": control}


class _Host(engine.Host):
    """A durable-rules host without background threads; actions are looked up by name."""

    def _run(self):
        """Start no dispatch or timer threads (see module docstring)."""

    def get_action(self, action_name):
        return ACTIONS[action_name]


class _Process:
    """The host of this process and the names registered with it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pid = None
        self.host = None
        self.registered = set()

    def current_host(self):
        pid = os.getpid()
        if self.host is None or self.pid != pid:
            if self.host is not None:
                logger.info("new durable-rules host after fork (pid %s -> %s)", self.pid, pid)
            self.host, self.pid, self.registered = _Host(), pid, set()
        return self.host


_process = _Process()
_session_ids = itertools.count(1)


def _after_fork_in_child():
    global _process
    _process = _Process()


os.register_at_fork(after_in_child=_after_fork_in_child)


# --------------------------------------------------------------------------- sizes

def _leaf(expression):
    """(operator, field) of a comparison, or None for $and/$or."""
    ((key, value),) = expression.items()
    if key in ("$and", "$or"):
        return None
    if key.startswith("$"):
        ((field, _),) = value.items()
        return key, field
    return "eq", key


def _groups(expression):
    """How many $and/$or an `m` expression holds (each takes two of a beta node's 31 entries)."""
    leaf = _leaf(expression)
    if leaf is not None:
        return 0
    ((_, children),) = expression.items()
    return 1 + sum(_groups(child) for child in children)


def _measure(expression):
    """(alternatives, matches, width, absence tests) of an `m` expression.

    durable-rules expands $or into alternatives (a product over $and) and fires a rule once per
    alternative a fact passes. Matches: how many alternatives one fact can pass at once; width:
    how many it can pass below one node. Equality tests on one field exclude each other (the
    compiler removes duplicate values), and an absence test excludes every test on its field.
    """
    leaf = _leaf(expression)
    if leaf is not None:
        return 1, 1, 1, 1 if leaf[0] == "$nex" else 0
    ((key, children),) = expression.items()
    measured = [_measure(child) for child in children]
    absences = sum(item[3] for item in measured)
    inner_width = max(item[2] for item in measured)
    if key == "$and":
        alternatives = matches = 1
        for item in measured:
            alternatives *= item[0]
            matches *= item[1]
        return alternatives, matches, inner_width, absences
    fields, matches, width = {}, 0, 0
    for child, item in zip(children, measured):
        leaf = _leaf(child)
        if leaf is None:
            matches += item[1]
            width += item[2]
            continue
        kinds = fields.setdefault(leaf[1], {"eq": 0, "$nex": 0, "other": 0})
        kinds[leaf[0] if leaf[0] in ("eq", "$nex") else "other"] += 1
    for kinds in fields.values():
        slots = max(1 if kinds["$nex"] else 0, (1 if kinds["eq"] else 0) + kinds["other"])
        matches += slots
        width += slots
    return sum(item[0] for item in measured), matches, max(width, inner_width), absences


def check_expression(expression):
    """The (width, absence tests) of one rule's expression; ValueError when it is too big."""
    alternatives, matches, width, absences = _measure(expression)
    if alternatives > MAX_ALTERNATIVES:
        raise ValueError("the condition expands to %d alternatives in the rules engine; at most "
                         "%d (split it into several rules)" % (alternatives, MAX_ALTERNATIVES))
    if matches > MAX_MATCHES or width > MAX_WIDTH:
        raise ValueError("up to %d alternatives of the condition can hold at once; at most %d "
                         "(split it into several rules)" % (max(matches, width), MAX_WIDTH))
    if absences > MAX_ABSENCE_TESTS:
        raise ValueError("the condition tests %d values for absence; at most %d"
                         % (absences, MAX_ABSENCE_TESTS))
    groups = _groups(expression)
    if groups > MAX_GROUPS:
        raise ValueError("the condition is too complex for the rules engine: it becomes %d and/or "
                         "groups there, at most %d (each all and any counts, each in or not_in with "
                         "several values, and each comparison under a not; eligibility requirements "
                         "are run negated); split it into several rules or requirements"
                         % (groups, MAX_GROUPS))
    return width, absences


def plan(name, expressions):
    """Pack rule expressions into durable rulesets that stay within the engine's limits."""
    parts, current, width, absences = [], {}, 0, 0
    for key, expression in expressions.items():
        rule_width, rule_absences = check_expression(expression)
        if current and (width + rule_width > MAX_WIDTH
                        or absences + rule_absences > MAX_ABSENCE_TESTS):
            parts.append(current)
            current, width, absences = {}, 0, 0
        current[key] = expression
        width += rule_width
        absences += rule_absences
    if current:
        parts.append(current)
    if len(parts) == 1:
        return [(name, parts[0])]
    return [("%s.part%d" % (name, number), part) for number, part in enumerate(parts, 1)]


def _definition(expressions):
    definition = {
        key: {"all": [{key: {"$and": [{"$ex": {INDEX: 1}}, expression]}}], "cap": CHUNK,
              "run": "bkv_record"}
        for key, expression in expressions.items()
    }
    definition[CONTROL] = {"all": [{CONTROL: {"$ex": {CONTROL: 1}}}], "run": "bkv_control"}
    return definition


def _register(process, name, expressions):
    if name in process.registered:
        return
    definition = copy.deepcopy(_definition(expressions))  # durable deletes each rule's 'run'
    process.host.register_rulesets({name: definition})
    process.registered.add(name)
    logger.debug("registered durable ruleset %s (%d rules)", name, len(expressions))


def _run_session(host, name, messages, start, results):
    sid = "%d-%d" % (os.getpid(), next(_session_ids))
    facts = []
    for offset, message in enumerate(messages, start):
        fact = dict(message)
        fact.update({"sid": sid, "id": str(offset), INDEX: offset})
        facts.append(fact)
    del _fired[:]
    opened = False
    try:
        host.post(name, {"sid": sid, CONTROL: "open"})
        opened = True
        try:
            host.assert_facts(name, facts)
        except engine.MessageNotHandledException:
            pass  # some fact matched no rule; queued actions run on the close event
        state = host.post(name, {"sid": sid, CONTROL: "close"})
        if not state:
            raise EvaluationError("the rules engine returned no session state")
        if "exception" in state:
            raise EvaluationError("a rule action failed: %s" % state["exception"])
        for rule_key, index in _fired:
            results[index].add(rule_key)
    finally:
        del _fired[:]
        if opened:
            try:
                host.delete_state(name, sid)
            except Exception:  # noqa: BLE001 - a leaked session must not hide the result
                logger.exception("could not delete durable session %s of %s", sid, name)


_INT64 = 2 ** 63


def _check_message(message):
    for key, value in message.items():
        if not isinstance(key, str) or not (
                type(value) is str or (type(value) is int and -_INT64 < value < _INT64)):
            raise EvaluationError("cannot pass %r=%r to the rules engine: only text and "
                                  "64-bit integers are safe" % (key, value))


def fire(batches):
    """Run batches through durable-rules; which rules fired for each message.

    `batches` is a list of (durable_name, expressions, messages), where expressions maps rule
    keys to durable `m` expressions and messages are flat dicts. Returns, per batch, a list with
    one set of fired rule keys per message. All batches run in one lock acquisition.
    """
    results = [[set() for _ in messages] for _, _, messages in batches]
    work = [(batch, result) for batch, result in zip(batches, results)
            if batch[1] and batch[2]]
    if not work:
        return results
    for (_, _, messages), _ in work:
        for message in messages:
            _check_message(message)
    process = _process
    if not process.lock.acquire(timeout=LOCK_TIMEOUT):
        raise EvaluationError("the rules engine is busy; try again")
    try:
        host = process.current_host()
        for (name, expressions, messages), result in work:
            if name not in _plans:
                _plans[name] = plan(name, expressions)
            for part_name, part in _plans[name]:
                _register(process, part_name, part)
                for start in range(0, len(messages), CHUNK):
                    _run_session(host, part_name, messages[start:start + CHUNK], start, result)
    except EvaluationError:
        raise
    except Exception as error:  # durable raises bare Exceptions and its C module's errors
        detail = getattr(error, "message", None) or str(error) or type(error).__name__
        logger.exception("durable-rules failed")
        raise EvaluationError("the rules engine failed: %s" % detail) from error
    finally:
        process.lock.release()
    return results
