"""The group-contract application, edited together by broker and employer until submitted."""
import json

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import applications, audit, clock, registry
from engine.errors import Conflict, DomainError, NotFound
from web import downloads
from web.access import current_account
from web.extensions import select_locale
from web.filters import localized, shown

bp = Blueprint("applications", __name__, url_prefix="/applications")


@bp.route("/<int:application_id>", methods=["GET", "POST"])
@login_required
def edit(application_id):
    user = current_account()
    application = applications.get_for(user, application_id)
    role = applications.role_for(user, application)
    g.portal = "advisor" if role == "broker" else "employer"
    live = registry.get(application.tenant_id)
    form = live.compiled.application_form
    values, errors = {**form.defaults(clock.today()), **application.data}, {}
    if request.method == "POST":
        try:
            application, errors = applications.save(user, application, request.form, live,
                                                    request.form.get("lock_version", -1),
                                                    base=_base(request.form.get("base")), lang=select_locale())
        except applications.EditConflict as exc:
            # the stored state with this person's changes on top; at a clash their entry stays in the
            # field and the other value is named beside it, so saving again is a decision, not an accident
            flash(localized(exc.text), "error")
            application = applications.get_for(user, application_id)
            values = {k: v for k, v in {**application.data, **exc.mine}.items() if v is not None}
            errors = {name: _("Changed meanwhile to: %(value)s", value=shown(form[name], theirs) if theirs else "–")
                      for name, theirs in exc.clashes.items()}
        except (Conflict, DomainError) as exc:
            flash(localized(exc.text), "error")
            values = request.form
        else:
            if errors:
                values = request.form
                flash(_("Some entries are invalid; please check the marked fields."), "error")
            else:
                flash(_("The application has been saved."), "success")
                if application.merged:
                    flash(_("Changed by someone else in the meantime and kept: %(fields)s",
                            fields=", ".join(labels_of(form, application.merged))), "info")
                return redirect(url_for("applications.edit", application_id=application.id))
    history = [e for e in audit.history("application", application.id)]
    return render_template("applications/edit.html", application=application, live=live, role=role,
                           form=live.compiled.application_form, values=values, errors=errors,
                           missing=labels_of(live.compiled.application_form, applications.missing(application, live)),
                           history=history, changed_fields=lambda changed: labels_of(form, changed),
                           start_problem=applications.start_problem(application),
                           editable=application.state in applications.EDITABLE)


def _base(text):
    """The data the posted form was drawn from (a hidden field of the form), or None."""
    try:
        base = json.loads(text or "")
    except ValueError:
        return None
    return base if isinstance(base, dict) else None


@bp.route("/<int:application_id>/group-policy.pdf")
@login_required
def group_policy(application_id):
    """The group policy, for the broker and the employer of the case."""
    application = applications.get_for(current_account(), application_id)
    contract = application.contracts.first()
    if contract is None or contract.document_id is None:
        raise NotFound("Noch keine Gruppenpolice.", "No group policy yet.")
    return downloads.send_document(contract.document)


def labels_of(form, names):
    """The labels of the form's fields among `names`, in the form's order, in the reader's language."""
    return [localized(field.label) for field in form if field.name in names]


@bp.route("/<int:application_id>/submit", methods=["POST"])
@login_required
def submit(application_id):
    user = current_account()
    application = applications.get_for(user, application_id)
    if applications.role_for(user, application) != "broker":
        flash(_("Only the broker can submit the application."), "error")
        return redirect(url_for("applications.edit", application_id=application.id))
    try:
        applications.submit(user, application, registry.get(application.tenant_id))
    except DomainError as exc:
        flash(localized(exc.text), "error")
    else:
        if applications.get_for(user, application_id).state == "submitted":  # the employer's release comes next
            flash(_("The application has been submitted to the insurer. The employer has been asked by e-mail to release it."), "success")
        else:  # the insurer needs no release: it is with the insurer now
            flash(_("The application has been submitted to the insurer. This insurer needs no release by the employer."), "success")
    return redirect(url_for("applications.edit", application_id=application.id))
