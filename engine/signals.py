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
