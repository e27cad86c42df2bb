"""What the manager, the back office and the advisor share for a contract's term: the page's facts,
the posted date, and asking for or withdrawing a budget level change with its outcome as a flash."""
import datetime

from flask import abort, flash, g, request
from flask_babel import gettext as _

from engine import contract_groups, contract_lifecycle, level_changes, min_insured
from engine.errors import DomainError
from web.filters import localized


def page_of(contract):
    """The contract page's term, level changes, groups added at an anniversary, minimum size and the
    tenant's tariffs by id."""
    return {"terms": contract_lifecycle.terms(contract), "levels": level_changes.choices(contract),
            "new_groups": contract_groups.choices(contract),
            "shortfall": min_insured.shortfall(contract),
            "tariffs": {t["id"]: t for t in g.tenant.doc["tariffs"]}}


def posted_date(name):
    """An ISO date the page offered as a choice, or None (a forged value is refused by the engine)."""
    try:
        return datetime.date.fromisoformat(request.form.get(name) or "")
    except ValueError:
        return None


def act(action, done):
    """Run a use case; its success (`done`, a message) or its DomainError as a flash."""
    try:
        action()
        flash(done, "success")
    except DomainError as exc:
        flash(localized(exc.text), "error")


def request_level(actor, contract):
    act(lambda: level_changes.request(actor, contract, request.form.get("group", ""), request.form.get("level", ""),
                                      posted_date("effective")),
        _("The new budget level has been noted for the anniversary."))


def withdraw_level(actor, contract):
    act(lambda: level_changes.withdraw(actor, contract, request.form.get("group", ""), posted_date("effective")),
        _("The change of budget level has been withdrawn."))


def request_group(actor, contract):
    act(lambda: contract_groups.request(actor, contract, request.form.get("group", ""),
                                        request.form.get("level") or None, request.form.get("employer_share", ""),
                                        posted_date("effective")),
        _("The new tariff group has been noted for the anniversary."))


def withdraw_group(actor, contract):
    act(lambda: contract_groups.withdraw(actor, contract, request.form.get("group", ""), posted_date("effective")),
        _("The new tariff group has been withdrawn."))


def cancel(actor, contract):
    act(lambda: contract_lifecycle.cancel(actor, contract, request.form.get("reason", ""), posted_date("end_date")),
        _("The group contract has been cancelled."))


def withdraw_cancellation(actor, contract):
    act(lambda: contract_lifecycle.withdraw_cancellation(actor, contract),
        _("The cancellation has been withdrawn; the contract continues."))


# The steps posted to /.../term/<step>, and which portal offers which (the engine checks the actor's
# role again: a broker cannot give notice, the insurer asks for no levels).
STEPS = {"cancel": cancel, "withdraw-cancellation": withdraw_cancellation,
         "levels": request_level, "levels/withdraw": withdraw_level,
         "groups": request_group, "groups/withdraw": withdraw_group}
OFFERED = {"manager": set(STEPS), "office": {"cancel", "withdraw-cancellation"},
           "advisor": {"levels", "levels/withdraw", "groups", "groups/withdraw"}}


def take(portal, step, actor, contract):
    """Take a posted step of the contract's term for `portal`; 404 for a step it does not offer."""
    if step not in OFFERED[portal]:
        abort(404)
    STEPS[step](actor, contract)
