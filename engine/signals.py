"""Signals the engine sends inside the transaction of a change, so the web layer can write the mails
that belong to it (blinker, as Indico does): the engine never imports the code that reacts."""
from blinker import Namespace

_signals = Namespace()

# sender: the Employer; kwargs: actor, before, after (addresses), members (Users told)
contact_changed = _signals.signal("client.contact-changed")
# sender: the Invitation just made
member_invited = _signals.signal("employer.member-invited")
# sender: the Invitation just made to an insurer's back office (role insurer or insurer_admin)
staff_invited = _signals.signal("tenant.staff-invited")
# sender: the recipient's address; kwargs: lines ([{line: {de, en}, link}]) held for one digest mail
digest_ready = _signals.signal("digest.ready")
# sender: the tenant's slug; kwargs: kind ("enrolments" | "event"), contract, count: new work for the
# insurer's staff that no transition announces (records born in their first state)
work_arrived = _signals.signal("tenant.work-arrived")
# sender: the GroupContract; kwargs: employee, proposal ({from, to (None: no group), date}): the rules put a
# person with a policy in another group after their data changed (engine/regroup.py)
group_proposed = _signals.signal("employee.group-proposed")
# sender: the GroupContract; kwargs: employee, enrolment (the one the system sent, or None: the employer is
# reminded to enrol): a person's eligible-from date has come (engine/eligible_reminders.py)
eligible_reached = _signals.signal("employee.eligible-reached")
# sender: the GroupContract; kwargs: employee, event (the leaving), refused ({de, en} or None): an import's
# leaving date was filed as a leaving event, or could not be (engine/employees.py)
leaving_from_import = _signals.signal("employee.leaving-from-import")
# sender: the GroupContract; kwargs: day (it fell below), count, minimum, group (None, or the name {de, en}
# of the tariff group whose own minimum or participation quota it is): fewer people insured than the tenant's min_insured or
# the group's (engine/min_insured.py), sent once per drop by the daily job
below_minimum = _signals.signal("contract.below-minimum")
# sender: the GroupContract; kwargs: changes ([{day, valid_from, tariff, name, key}]), day (the first):
# the insurer's premium changes that will reach the contract, announced once (engine/price_changes.py)
premium_change_announced = _signals.signal("contract.premium-change-announced")
# sender: the Comparison; kwargs: offers (its offers just sent together): one mail to the employer with one
# link to all of them (engine/comparisons.py)
comparison_sent = _signals.signal("comparison.sent")
# sender: "<machine>.<transition>" (e.g. "offer.send"); kwargs: obj (fresh, after the change), ctx
# (engine.workflow.Context). Sent by workflow.fire after the effects, inside the same transaction:
# what a receiver writes (a mail in the outbox, a webhook delivery) commits or rolls back with it.
transitioned = _signals.signal("workflow.transitioned")


def on_transition(*steps):
    """Decorator: call `receiver(obj, ctx)` whenever one of `steps` ("offer.send") is taken."""
    def register(receiver):
        def receive(step, obj, ctx):
            receiver(obj, ctx)
        for step in steps:
            transitioned.connect(receive, sender=step, weak=False)
        return receiver
    return register
