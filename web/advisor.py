"""The broker's advisor at /advisor: profile, calculation engines, clients, consultations, offers."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from forms import load_platform_form

from engine import (applications, audit, broker_book, brokers, clients, comparisons, consultations, offers, registry,
                    statements)
from engine import level_changes, product_documents
from engine.errors import DomainError
from engine.values import stored_all
from web import contract_term, downloads, formview
from web.access import current_account, require
from web.pagecache import cached_page
from web.extensions import select_locale
from web.filters import insurer_names, localized

bp = Blueprint("advisor", __name__, url_prefix="/advisor")


@bp.before_request
def _portal():
    g.portal = "advisor"


def me():
    return current_account()


@bp.route("/")
@require("broker")
@cached_page
def index():
    broker = me()
    offer_states = {}
    for offer in offers.open_for_broker(broker):
        offer_states.setdefault("expired" if offers.is_expired(offer) else offer.state, []).append(offer)
    app_states = {}
    for application in applications.for_broker(broker):
        app_states.setdefault(application.state, []).append(application)
    numbers = brokers.numbers(broker)
    open_consultations = consultations.open_for_broker(broker)
    return render_template("advisor/index.html", offer_states=offer_states, app_states=app_states,
                           consultations=open_consultations, clients=clients.count_for(broker),
                           missing_numbers=[t for t in registry.live_tenants() if t.slug not in numbers])


@bp.route("/profile", methods=["GET", "POST"])
@require("broker")
def profile():
    form = load_platform_form("broker_profile")
    values, errors = brokers.profile(me()) or None, {}
    if request.method == "POST":
        result = formview.read(form)
        values, errors = request.form, result.errors
        if result.ok:
            brokers.save_profile(me(), stored_all(result.values))
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("advisor.profile"))
    return render_template("advisor/profile.html", form=form, values=values, errors=errors)


@bp.route("/engines", methods=["GET", "POST"])
@require("broker")
def engines():
    errors = {}
    if request.method == "POST":
        live = registry.get(request.form.get("tenant", ""))
        try:
            brokers.set_number(me(), live, request.form.get("number"))
        except DomainError:
            errors[live.slug] = _("The broker number does not match the format used by %(insurer_genitive)s "
                                  "(example: %(example)s).",
                                  example=live.doc.get("broker_number", {}).get("example", "-"), **insurer_names(live))
        else:
            flash(_("Broker number for %(insurer)s saved.", insurer=live.name), "success")
            return redirect(url_for("advisor.engines"))
    return render_template("advisor/engines.html", tenants=registry.live_tenants(), numbers=brokers.numbers(me()),
                           confirmed=brokers.confirmed_numbers(me()), errors=errors, posted=request.form)


# --- clients -------------------------------------------------------------------------------

@bp.route("/clients")
@require("broker")
@cached_page
def client_list():
    query = request.args.get("q", "").strip()
    return render_template("advisor/clients.html", clients=clients.list_for(me(), query), query=query)


@bp.route("/clients/new", methods=["GET", "POST"])
@require("broker")
def client_new():
    return _client_form(None)


@bp.route("/clients/<int:client_id>/edit", methods=["GET", "POST"])
@require("broker")
def client_edit(client_id):
    return _client_form(clients.get_for(me(), client_id))


def _client_form(client):
    form = clients.form()
    values, errors = (clients.as_values(client) if client else None), {}
    if request.method == "POST":
        result = formview.read(form)
        values, errors = request.form, result.errors
        if result.ok:
            if client is None:
                client = clients.create(me(), result.values)
                flash(_("Client %(name)s created.", name=client.company_name), "success")
            else:
                clients.update(me(), client, result.values)
                flash(_("Client data saved."), "success")
            return redirect(url_for("advisor.client_detail", client_id=client.id))
    return render_template("advisor/client_form.html", form=form, values=values, errors=errors, client=client)


@bp.route("/clients/<int:client_id>")
@require("broker")
@cached_page
def client_detail(client_id):
    client = clients.get_for(me(), client_id)
    return render_template("advisor/client.html", client=client, tenants=registry.live_tenants(),
                           **clients.case_of(client), book=broker_book.of_client(me(), client_id),
                           timeline=audit.timeline(client.id),
                           is_expired=offers.is_expired, level_contracts=level_changes.of_client(me(), client_id),
                           compared=comparisons.of_client(me(), client))


@bp.route("/clients/<int:client_id>/contracts/<int:contract_id>/term/<path:step>", methods=["POST"])
@require("broker")
def term_step(client_id, contract_id, step):
    """The broker asks for (or withdraws) another budget level or a new tariff group from the
    contract's next anniversary (contract_term.STEPS)."""
    contract = statements.contract_for_broker(me(), client_id, contract_id)
    contract_term.take("advisor", step, me(), contract)
    return redirect(url_for("advisor.client_detail", client_id=client_id))


@bp.route("/clients/<int:client_id>/statements")
@require("broker")
def statement_list(client_id):
    """The premium statements of the client's group contracts, at every insurer."""
    client, found = statements.contracts_of_client(me(), client_id)
    return render_template("advisor/statements.html", client=client, contracts=found)


@bp.route("/clients/<int:client_id>/contracts/<int:contract_id>/statements/<int:statement_id>.<fmt>")
@require("broker")
def statement_file(client_id, contract_id, statement_id, fmt):
    contract = statements.contract_for_broker(me(), client_id, contract_id)
    return downloads.send_bytes(*statements.download(contract, statement_id, fmt))


# --- consultations -------------------------------------------------------------------------

@bp.route("/clients/<int:client_id>/consultations/new", methods=["GET", "POST"])
@require("broker")
def consultation_new(client_id):
    client = clients.get_for(me(), client_id)
    live = registry.get(request.values["tenant"]) if request.values.get("tenant") else None
    error = None
    if request.method == "POST" and live is not None:
        try:
            consultation = consultations.start(me(), client, live, request.form.getlist("tariffs"),
                                               request.form.getlist("modules"))
        except DomainError:
            error = _("Please choose at least one tariff and one content module.")
        else:
            return redirect(url_for("advisor.consultation", consultation_id=consultation.id))
    return render_template("advisor/consultation_new.html", client=client, live=live,
                           tenants=registry.live_tenants(), error=error)


@bp.route("/consultations/<int:consultation_id>", methods=["GET", "POST"])
@require("broker")
def consultation(consultation_id):
    consultation = consultations.get_for(me(), consultation_id)
    live = registry.get(consultation.tenant_id)
    modules = consultations.modules_of(live, consultation.modules)
    step = max(0, min(request.args.get("step", 0, type=int), len(modules)))
    module = modules[step] if step < len(modules) else None
    form = live.compiled.questions.get(module["id"]) if module else None
    values, errors = (consultation.answers.get(module["id"]) if module else None), {}
    if request.method == "POST" and module is not None:
        result = formview.read(form)
        values, errors = request.form, result.errors
        if result.ok:
            try:
                consultations.save_answers(me(), consultation, module["id"], stored_all(result.values))
            except DomainError as exc:
                flash(localized(exc.text), "error")
            return redirect(url_for("advisor.consultation", consultation_id=consultation.id, step=step + 1))
    average_age = request.args.get("age", 40, type=int)
    share = request.args.get("share", 100, type=int)
    try:
        figures = consultations.live_figures(live, consultation, average_age=max(16, min(average_age, 70)))
    except DomainError as exc:
        figures, figures_error = [], localized(exc.text)
    else:
        figures_error = None
    return render_template("advisor/consultation.html", consultation=consultation, live=live, modules=modules,
                           step=step, module=module, html=consultations.module_html(module, select_locale()) if module else "",
                           form=form if form and len(form.fields) else None, values=values, errors=errors,
                           figures=figures, figures_error=figures_error, average_age=average_age, share=share,
                           limit=live.settings.benefit_in_kind_limit,
                           documents=product_documents.of_tariffs(live.doc, consultation.tariffs),
                           compared=comparisons.of_consultation(consultation))


@bp.route("/consultations/<int:consultation_id>/complete", methods=["POST"])
@require("broker")
def consultation_complete(consultation_id):
    consultation = consultations.get_for(me(), consultation_id)
    try:
        consultations.complete(me(), consultation, request.form.get("recommendation", ""))
    except DomainError as exc:
        flash(localized(exc.text), "error")
        return redirect(url_for("advisor.consultation", consultation_id=consultation.id, step=len(consultation.modules)))
    flash(_("The consultation is complete; the consultation record is available as a PDF."), "success")
    return redirect(url_for("advisor.client_detail", client_id=consultation.employer_id))


@bp.route("/consultations/<int:consultation_id>/record.pdf")
@require("broker")
def consultation_pdf(consultation_id):
    consultation = consultations.get_for(me(), consultation_id)
    if consultation.document is None:
        abort(404)
    return downloads.send_document(consultation.document)


# --- comparisons: several insurers side by side ---------------------------------------------

@bp.route("/clients/<int:client_id>/compare", methods=["GET", "POST"])
@require("broker")
def compare(client_id):
    """Choose insurers and inputs (GET), see them side by side; POST records what was shown (in the
    consultation when one is named) and leads to the kept comparison."""
    client = clients.get_for(me(), client_id)
    raw = request.form if request.method == "POST" else request.args
    consultation = comparisons.consultation_of(me(), raw.get("consultation", type=int), client)
    insurers = comparisons.insurers_for(me())
    inputs, columns, errors = comparisons.default_inputs(client), None, {}
    if raw.get("insurers") or request.method == "POST":
        try:
            inputs = comparisons.read_inputs(me(), raw)
            if request.method == "POST":
                kept = comparisons.record(me(), client, inputs, consultation)
                flash(_("The comparison has been recorded."), "success")
                return redirect(url_for("advisor.comparison", comparison_id=kept.id))
            columns = comparisons.compare(me(), client, inputs)
        except DomainError as exc:
            errors[exc.field or "_"] = localized(exc.text)
            inputs = {**inputs, "insurers": raw.getlist("insurers")}
    return render_template("advisor/compare.html", client=client, consultation=consultation, insurers=insurers,
                           choices={live.slug: comparisons.choices(live) for live in insurers}, raw=raw,
                           inputs=inputs, columns=columns, errors=errors,
                           missing=[t for t in registry.live_tenants() if t.slug not in {i.slug for i in insurers}])


@bp.route("/comparisons/<int:comparison_id>")
@require("broker")
def comparison(comparison_id):
    kept = comparisons.get_for(me(), comparison_id)
    made = comparisons.current_offers(kept)
    return render_template("advisor/comparison.html", comparison=kept, client=kept.employer,
                           inputs=comparisons.stored_inputs(kept), shown=kept.shown,
                           columns=[comparisons.offer_column(o) for o in made], offers=made,
                           drafts=[o for o in made if o.state == "draft"])


@bp.route("/comparisons/<int:comparison_id>/offers", methods=["POST"])
@require("broker")
def comparison_offers(comparison_id):
    kept = comparisons.get_for(me(), comparison_id)
    try:
        comparisons.make_offers(me(), kept)
    except DomainError as exc:
        flash(localized(exc.text), "error")
    else:
        flash(_("One draft offer per insurer has been calculated. Check them and send them together."), "success")
    return redirect(url_for("advisor.comparison", comparison_id=kept.id))


@bp.route("/comparisons/<int:comparison_id>/send", methods=["POST"])
@require("broker")
def comparison_send(comparison_id):
    kept = comparisons.get_for(me(), comparison_id)
    try:
        sent = comparisons.send(me(), kept)
    except DomainError as exc:
        flash(localized(exc.text), "error")
    else:
        flash(_("The offers have been sent together to %(email)s.", email=sent.sent_to), "success")
    return redirect(url_for("advisor.comparison", comparison_id=kept.id))


@bp.route("/comparisons/<int:comparison_id>/comparison.pdf")
@require("broker")
def comparison_pdf(comparison_id):
    kept = comparisons.get_for(me(), comparison_id)
    if not comparisons.current_offers(kept):
        abort(404)
    return downloads.send_bytes(*comparisons.pdf(kept), "application/pdf")


# --- offers ----------------------------------------------------------------------------------

@bp.route("/clients/<int:client_id>/offers/new", methods=["GET", "POST"])
@require("broker")
def offer_new(client_id):
    client = clients.get_for(me(), client_id)
    if not request.values.get("tenant"):
        return render_template("advisor/offer_pick.html", client=client, tenants=registry.live_tenants())
    live = registry.get(request.values["tenant"])
    consultation = None
    if request.values.get("consultation"):
        consultation = consultations.get_for(me(), request.values.get("consultation", type=int))
    return _offer_form(live, client, None, consultation)


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@require("broker")
def offer_edit(offer_id):
    offer = offers.get_for_broker(me(), offer_id)
    return _offer_form(registry.get(offer.tenant_id), offer.employer, offer, None)


def _offer_form(live, client, offer, consultation):
    form = offers.offer_form(live)
    values, errors = (offers.form_values(offer, live) if offer else None), {}
    if request.method == "POST":
        result = formview.read(form)
        values, errors = request.form, dict(result.errors)
        if result.ok:
            try:
                if offer is None:
                    saved = offers.create(me(), client, live, result.values, consultation)
                elif offer.state == "draft":
                    saved = offers.update_draft(me(), offer, live, result.values)
                else:
                    saved = offers.revise(me(), offer, live, result.values)
            except DomainError as exc:
                # next to its field (a group's level or employer share), else at the start date or the groups
                field = exc.field if exc.field in form.names else "_groups" if exc.field == "groups" else "start_date"
                errors[field] = localized(exc.text)
                flash(localized(exc.text), "error")
            else:
                flash(_("Offer calculated. Check the figures and send it."), "success")
                return redirect(url_for("advisor.offer", offer_id=saved.id))
    return render_template("advisor/offer_form.html", form=form, values=values, errors=errors, live=live,
                           client=client, offer=offer, consultation=consultation)


@bp.route("/offers/<int:offer_id>")
@require("broker")
@cached_page
def offer(offer_id):
    offer = offers.get_for_broker(me(), offer_id)
    live = registry.get(offer.tenant_id)
    return render_template("advisor/offer.html", offer=offer, live=live, expired=offers.is_expired(offer),
                           has_number=brokers.number_for(me(), offer.tenant_id) is not None,
                           application=offers.application_of(offer),
                           tariffs=live.tariffs,
                           groups=live.groups)


@bp.route("/offers/<int:offer_id>/send", methods=["POST"])
@require("broker")
def offer_send(offer_id):
    offer = offers.get_for_broker(me(), offer_id)
    try:
        offers.send(me(), offer, registry.get(offer.tenant_id))
    except DomainError as exc:
        flash(localized(exc.text), "error")
    else:
        flash(_("The offer has been sent to %(email)s.", email=offer.employer.contact_email), "success")
    return redirect(url_for("advisor.offer", offer_id=offer.id))


@bp.route("/offers/<int:offer_id>/offer.pdf")
@require("broker")
def offer_pdf(offer_id):
    offer = offers.get_for_broker(me(), offer_id)
    filename, data = offers.pdf(offer)
    return downloads.send_bytes(filename, data, "application/pdf")


@bp.route("/applications")
@require("broker")
def application_list():
    rows = applications.for_broker(me())
    return render_template("advisor/applications.html", applications=rows)
