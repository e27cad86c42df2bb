"""A person's notifications at /notifications: what happened on their cases since they last looked
(engine/inbox.py), marked read when shown; and their choice of decision mails (digests)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import digests, inbox
from engine.errors import DomainError
from web.access import current_account
from web.filters import localized

bp = Blueprint("inbox", __name__, url_prefix="/notifications")


@bp.route("/")
@login_required
def index():
    user = current_account()
    before = request.args.get("before", type=int)
    shown, older = inbox.recent(user, before=before if before and before > 0 else None)
    if before is None and shown:
        inbox.mark_read(user, up_to=shown[0]["id"])
    return render_template("inbox/index.html", notifications=shown, older=older, paged=before is not None,
                           digest=user.digest, choices=digests.CHOICES)


@bp.route("/settings", methods=["POST"])
@login_required
def settings():
    try:
        digests.choose(current_account(), request.form.get("digest"))
    except DomainError as exc:
        flash(localized(exc.text), "error")
    else:
        flash(_("Your choice of mails has been saved."), "success")
    return redirect(url_for("inbox.index"))
