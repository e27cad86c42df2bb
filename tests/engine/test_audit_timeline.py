"""A case's timeline: runs of the same action by the same person are one line with their true count,
also when a run is longer than what the timeline reads at a time (an import of thousands of people)."""
import random

import pytest

from engine import audit
from engine.models import AuditEntry
from tests.journey import submitted_application


def runs_read_one_by_one(employer_id):
    """The timeline as every entry read, oldest first: (action, actor id, count, newest id)."""
    entries = list(AuditEntry.select().where(AuditEntry.employer == employer_id)
                   .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    runs = []
    for entry in entries:
        if runs and (runs[-1][0], runs[-1][1]) == (entry.action, entry.actor_id):
            runs[-1] = (entry.action, entry.actor_id, runs[-1][2] + 1, max(runs[-1][3], entry.id))
        else:
            runs.append((entry.action, entry.actor_id, 1, entry.id))
    return list(reversed(runs))


@pytest.mark.parametrize("window", [2, 3, 7, 500])
def test_runs_longer_than_the_window_keep_their_count(app, make_user, window, monkeypatch):
    monkeypatch.setattr(audit, "WINDOW", window)
    with app.app_context():
        case = submitted_application("auxilia", tag=f"tl{window}")
        employer_id, manager = case["client"].id, case["employer_user"]
        other = make_user("insurer", tenant="auxilia")
        rng = random.Random(window)
        # an import's long run, then short runs of people, the system (no actor) and another insurer
        audit.record_many(manager, "employee.created", "employee", [(n, None) for n in range(450)], tenant="auxilia",
                          employer=employer_id)
        for n in range(60):
            actor = rng.choice([manager, other, None])
            audit.record(actor, rng.choice(["employee.enrol", "employee.insure"]), "employee", n,
                         tenant=rng.choice(["auxilia", None]), employer=employer_id)
        audit.record_many(None, "employee.insure", "employee", [(n, None) for n in range(25)], tenant="auxilia",
                          employer=employer_id)
        expected = runs_read_one_by_one(employer_id)
        shown = [(e.action, e.actor_id, e.count, e.id) for e in audit.timeline(employer_id)]
        assert shown == expected
        assert sum(e.count for e in audit.timeline(employer_id)) == AuditEntry.select().where(
            AuditEntry.employer == employer_id).count()
        assert [(e.action, e.actor_id, e.count) for e in audit.timeline(employer_id, last=5)] == \
            [(a, b, c) for a, b, c, _ in expected[-5:]]
        assert ("employee.created", manager.id, 450) in [(e.action, e.actor_id, e.count)
                                                        for e in audit.timeline(employer_id, tenant="auxilia")]
