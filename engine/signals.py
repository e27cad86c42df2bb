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
