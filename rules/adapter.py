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
* Registration mutates the definition, so we register a deep copy; a name can be registered
  once per host, so names are versioned by content (`RuleSet.durable_name`) and registered on
  first use. Action exceptions land in the session state; we check it and raise.
* durable-rules crashes the process when a fact of a batch cannot be parsed (it then runs
  actions for an uninitialised session): e.g. a float written with an exponent. Messages are
  therefore checked to hold only text and 64-bit integers before they reach the engine
  (`rules.conditions` encodes numbers, dates and booleans as integers).
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
CHUNK = 100              # fact sets per session (post_batch in chunks of 100 measured fastest)
LOCK_TIMEOUT = 300       # seconds; a stuck engine must not hang every request forever

_fired = []  # (rule key, batch index) recorded by the action; only touched under the lock


def record_match(c):
    """Action of every rule: note which rule matched which fact set.

    The binding name is the rule key (see _definition); Closure offers no public way to list
    its bindings, so this reads `c._m` (durable-rules 2.0.28, pinned in pyproject.toml).
    """
    for rule_key, message in c._m.items():
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


def _definition(expressions):
    definition = {
        key: {"all": [{key: {"$and": [{"$ex": {INDEX: 1}}, expression]}}], "run": "bkv_record"}
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
            _register(process, name, expressions)
            for start in range(0, len(messages), CHUNK):
                _run_session(host, name, messages[start:start + CHUNK], start, result)
    except EvaluationError:
        raise
    except Exception as error:  # durable raises bare Exceptions and its C module's errors
        detail = getattr(error, "message", None) or str(error) or type(error).__name__
        logger.exception("durable-rules failed")
        raise EvaluationError("the rules engine failed: %s" % detail) from error
    finally:
        process.lock.release()
    return results
