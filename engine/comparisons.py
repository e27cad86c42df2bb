"""Comparisons: several insurers side by side for one client with the same inputs (start of cover,
headcount, average age, employer's share, other benefits in kind; per insurer its budget level and
modules). Each insurer is priced and checked by `offers.calculate`, exactly as its own offer would be;
a comparison can be recorded (in a consultation, for its record), and offers made from it are sent to
the employer in one mail, who accepts one of them: the others are then set aside.

A column (what one insurer shows) is a dict: slug, insurer, group {de, en}, tariffs [{id, name, benefits
(Markdown {de, en}), premium}], headcount, premium (per person and month), employer (its part per
person), monthly_total, employer_monthly, employer_yearly, check {ok, text} (the benefit-in-kind limit),
conditions [{de, en}] (the insurer's conditions and its rules' notes), error ({de, en} or None) and, for a
column of an offer, offer_id and state."""
import datetime
from decimal import Decimal, InvalidOperation

from rules import dates
from rules.texts import format_value

from engine import audit, brokers, clock, documents, offer_benefits, offers, pricing, registry, signals, start_window
from engine.db import transaction
from engine.errors import DomainError, NotFound
from engine.models import Comparison, Consultation, Employee, GroupContract, Offer, utcnow

MIN_INSURERS = 2
DEFAULTS = {"headcount": 10, "average_age": 40, "employer_share": Decimal(100), "other_benefits_in_kind": Decimal(0)}
LIMIT_RULE = "benefit_in_kind_limit"
PDF_FRAME = {"name": "Angebotsvergleich", "branding": {"primary_color": "#1d2430"}}  # no one insurer's colours


def insurers_for(broker):
    """The insurers the broker may compare: those he has a broker number for (live tenants, by name)."""
    numbers = brokers.numbers(broker)
    return [live for live in registry.live_tenants() if live.slug in numbers]


def group_of(live):
    """The tariff group a comparison prices: the insurer's first (its group for all employees)."""
    return live.doc["tariff_groups"][0]


def choices(live):
    """What the broker may choose for the insurer: {group, levels, modules} (tariff ids of its group)."""
    group = group_of(live)
    return {"group": group, "levels": pricing.levels_of(live, group["tariffs"]),
            "modules": pricing.modules_of(live, group["tariffs"])}


def _number(raw, name, kind, low, high, de, en):
    try:
        value = kind(str(raw).strip().replace(",", ".")) if kind is Decimal else kind(str(raw).strip())
    except (ValueError, InvalidOperation):
        value = None
    if value is None or not low <= value <= high:
        raise DomainError(f"{de}: bitte eine Zahl von {low} bis {high}.", f"{en}: please a number from {low} to {high}.",
                          field=name)
    return value


def read_inputs(broker, raw):
    """Typed inputs from a request's values (`raw`: a mapping with getlist). DomainError with the field
    when one is wrong, fewer than two insurers are chosen or one has no broker number of his."""
    allowed = {live.slug: live for live in insurers_for(broker)}
    chosen = [slug for slug in dict.fromkeys(raw.getlist("insurers")) if slug]
    strangers = [slug for slug in chosen if slug not in allowed]
    if strangers:
        raise DomainError("Vergleichen können Sie nur Versicherer, für die Sie eine Vermittlernummer hinterlegt haben.",
                          "You can only compare insurers for which you have stored a broker number.", field="insurers")
    if len(chosen) < MIN_INSURERS:
        raise DomainError("Bitte wählen Sie mindestens zwei Versicherer.", "Please choose at least two insurers.",
                          field="insurers")
    try:
        start = datetime.date.fromisoformat(raw.get("start_date") or "")
    except ValueError:
        raise DomainError("Bitte geben Sie den Versicherungsbeginn als Datum an.",
                          "Please enter the start of cover as a date.", field="start_date") from None
    if start.day != 1:
        raise DomainError("Der Versicherungsbeginn ist immer der Erste eines Monats.",
                          "Cover always starts on the first day of a month.", field="start_date")
    inputs = {
        "start_date": start, "insurers": chosen,
        "headcount": _number(raw.get("headcount"), "headcount", int, 1, 100000,
                             "Anzahl versicherter Personen", "Number of insured persons"),
        "average_age": _number(raw.get("average_age"), "average_age", int, 16, 70, "Durchschnittsalter", "Average age"),
        "employer_share": _number(raw.get("employer_share"), "employer_share", Decimal, 0, 100,
                                  "Arbeitgeberanteil", "Employer's share"),
        "other_benefits_in_kind": _number(raw.get("other_benefits_in_kind") or 0, "other_benefits_in_kind", Decimal,
                                          0, 50, "Sonstige Sachbezüge", "Other benefits in kind"),
        "levels": {}, "modules": {}}
    for slug in chosen:
        offered = choices(allowed[slug])
        level = raw.get(f"level__{slug}") or (offered["levels"][0] if offered["levels"] else None)
        if offered["levels"] and level not in offered["levels"]:
            raise DomainError("Bitte wählen Sie eine Budgetstufe des Versicherers.",
                              "Please choose one of the insurer's budget levels.", field=f"level__{slug}")
        modules = [t for t in raw.getlist(f"modules__{slug}") if t in offered["modules"]]
        if not offered["levels"] and not modules:
            modules = list(offered["modules"])  # a modules-only insurer: every module unless some are chosen
        inputs["levels"][slug] = level if offered["levels"] else None
        inputs["modules"][slug] = modules
    return inputs


def known_staff(client, start):
    """(count, average age at `start`) of the client's current employees on the platform (of any of its
    contracts), or (0, None) while none is known."""
    births = [row.birth_date for row in Employee.select(Employee.birth_date).join(GroupContract)
              .where((GroupContract.employer == client.id) & Employee.state.not_in(offer_benefits.GONE))]
    if not births:
        return 0, None
    return len(births), round(sum(dates.age(birth, start) for birth in births) / len(births))


def default_inputs(client, today=None):
    """The form's first values: cover from the first of next month; the known staff's number and average
    age, else the client's headcount and an average age of 40 (`staff_known` says which)."""
    start = start_window.first_of_next_month(today or clock.today())
    count, age = known_staff(client, start)
    return {"start_date": start, "insurers": [], "levels": {}, "modules": {}, **DEFAULTS,
            "headcount": count or client.employees_count or DEFAULTS["headcount"],
            "average_age": age or DEFAULTS["average_age"], "staff_known": count}


def offer_values(live, inputs):
    """The insurer's offer form values for these inputs (offers.offer_form's names)."""
    p = offers.field_prefix(group_of(live)["id"])
    return {"start_date": inputs["start_date"], "other_benefits_in_kind": Decimal(str(inputs["other_benefits_in_kind"])),
            f"{p}__include": True, f"{p}__level": inputs["levels"].get(live.slug),
            f"{p}__tariffs": list(inputs["modules"].get(live.slug) or []),
            f"{p}__employer_share": Decimal(str(inputs["employer_share"])), f"{p}__headcount": int(inputs["headcount"]),
            f"{p}__average_age": int(inputs["average_age"])}


def _limit_check(live, group, start, other, staff):
    """{ok, text} of the 50 EUR benefit-in-kind limit per person (engine/offer_benefits.py)."""
    limit = live.settings.benefit_in_kind_limit
    found = offer_benefits.check(live, group, start, other, (staff or {}).get(group["id"]))
    if found is None:
        return {"ok": True, "text": {"de": "Nicht geprüft: kein Beitrag berechenbar.",
                                     "en": "Not checked: no premium can be calculated."}}
    amount = {lang: format_value(found.total.quantize(Decimal("0.01")), lang) for lang in ("de", "en")}
    shown = {lang: format_value(Decimal(limit).quantize(Decimal("0.01")), lang) for lang in ("de", "en")}
    if found.total > limit:
        said = found.text(limit)
        return {"ok": False, "text": {"de": f"Über der Freigrenze von {shown['de']} EUR. {said['de']}",
                                      "en": f"Above the limit of {shown['en']} EUR. {said['en']}"}}
    who = ({"de": f"Höchstens {amount['de']} EUR je Person und Monat (Alter {found.age}).",
            "en": f"At most {amount['en']} EUR per person and month (age {found.age})."} if found.known else
           {"de": f"Belegschaft noch nicht bekannt: bei einer {found.age}-jährigen Person {amount['de']} EUR.",
            "en": f"Staff not known yet: a person aged {found.age} would have {amount['en']} EUR."})
    return {"ok": True, "text": {"de": f"Innerhalb der Freigrenze von {shown['de']} EUR. {who['de']}",
                                 "en": f"Within the limit of {shown['en']} EUR. {who['en']}"}}


def conditions(live, group, findings):
    """The insurer's key conditions in words: its rules' notes on these inputs (e.g. a waiting period),
    who its group insures, its minimum number of insured persons and contract term."""
    s = live.settings
    found = [f["text"] for f in findings if not f["rule"].endswith(LIMIT_RULE)]
    found += [rule["reason"] for rule in group.get("eligibility", []) if rule.get("reason")]
    found.append({"de": f"Mindestens {s.min_insured} versicherte Personen.", "en": f"At least {s.min_insured} insured persons."})
    found.append({"de": f"Vertragslaufzeit {s.contract_term_months} Monate.",
                  "en": f"Contract term {s.contract_term_months} months."})
    return [dict(text) for text in dict.fromkeys(tuple(sorted(t.items())) for t in found)]


def _column(live, tariffs_doc, groups, figures, findings, start, other, staff):
    group_doc = groups[0]
    priced = figures["groups"][0]
    return {
        "slug": live.slug, "insurer": live.name, "group": group_of(live)["name"],
        "tariffs": [{"id": line["tariff"], "name": tariffs_doc[line["tariff"]]["name"],
                     "benefits": tariffs_doc[line["tariff"]].get("benefits", {}), "premium": line["premium"]}
                    for line in priced["tariffs"]],
        "headcount": priced["headcount"], "premium": priced["premium"], "employer": priced["employer"],
        "monthly_total": figures["monthly_total"], "employer_monthly": figures["employer_monthly_total"],
        "employer_yearly": figures["employer_yearly_total"],
        "check": _limit_check(live, group_doc, start, other, staff),
        "conditions": conditions(live, group_of(live), findings),
        "blocked": [f["text"] for f in findings if f["kind"] == "reject"], "error": None}


def column(live, client, inputs):
    """One insurer's column for these inputs, priced and checked by offers.calculate; a column with
    `error` when the insurer cannot offer them (a start outside its window, an age its table lacks)."""
    values = offer_values(live, inputs)
    try:
        groups, figures, findings = offers.calculate(live, client, values)
    except DomainError as exc:
        return {"slug": live.slug, "insurer": live.name, "group": group_of(live)["name"], "tariffs": [],
                "conditions": [], "blocked": [], "error": exc.text}
    staff = offer_benefits.known_staff(client, live, groups, inputs["start_date"])
    return _column(live, live.tariffs, groups, figures, findings, inputs["start_date"],
                   values["other_benefits_in_kind"], staff)


def compare(broker, client, inputs):
    """The columns of the chosen insurers (in the order chosen) for the broker's client."""
    allowed = {live.slug: live for live in insurers_for(broker)}
    if any(slug not in allowed for slug in inputs["insurers"]):
        raise DomainError("Vergleichen können Sie nur Versicherer, für die Sie eine Vermittlernummer hinterlegt haben.",
                          "You can only compare insurers for which you have stored a broker number.", field="insurers")
    return [column(allowed[slug], client, inputs) for slug in inputs["insurers"]]


def record(broker, client, inputs, consultation=None):
    """Keep the comparison as shown (for the consultation record, § 61 VVG) and return it."""
    if consultation is not None and (consultation.broker_id != broker.id or consultation.employer_id != client.id):
        raise NotFound("Beratung nicht gefunden.", "Consultation not found.")
    if consultation is not None and consultation.state != "open":
        raise DomainError("Die Beratung ist abgeschlossen; ein Vergleich lässt sich nicht mehr hinzufügen.",
                          "The consultation has been completed; a comparison can no longer be added.")
    shown = compare(broker, client, inputs)
    with transaction():
        comparison = Comparison.create(broker=broker, employer=client, consultation=consultation,
                                       inputs=inputs, insurers=inputs["insurers"], shown=shown)
        audit.record(broker, "comparison.recorded", "comparison", comparison.id,
                     after={"insurers": inputs["insurers"], "consultation": consultation and consultation.id},
                     employer=client.id)
    return Comparison.get_by_id(comparison.id)


def stored_inputs(comparison):
    """The comparison's inputs with their types back (JSON keeps dates and amounts as text)."""
    inputs = dict(comparison.inputs)
    inputs["start_date"] = datetime.date.fromisoformat(str(inputs["start_date"]))
    for name in ("employer_share", "other_benefits_in_kind"):
        inputs[name] = Decimal(str(inputs[name]))
    return inputs


def get_for(broker, comparison_id):
    comparison = Comparison.get_or_none((Comparison.id == comparison_id) & (Comparison.broker == broker))
    if comparison is None:
        raise NotFound("Vergleich nicht gefunden.", "Comparison not found.")
    return comparison


def by_id(comparison_id):
    """The comparison a signed link names, or None (the signature was checked by the caller)."""
    return Comparison.get_or_none(Comparison.id == comparison_id)


def of_consultation(consultation):
    return list(Comparison.select().where(Comparison.consultation == consultation.id).order_by(Comparison.id))


def of_client(broker, client):
    return list(Comparison.select().where((Comparison.broker == broker) & (Comparison.employer == client.id))
                .order_by(Comparison.id.desc()))


def current_offers(comparison):
    """The comparison's offers, the newest revision per insurer, in the order the insurers were chosen."""
    latest = {}
    for offer in Offer.select().where(Offer.comparison == comparison.id).order_by(Offer.revision):
        latest[offer.tenant_id] = offer
    return [latest[slug] for slug in comparison.insurers if slug in latest]


def make_offers(broker, comparison):
    """One draft offer per compared insurer, with the comparison's inputs (the broker may still edit each
    draft). Priced again now: the insurer's formulas of today decide."""
    if current_offers(comparison):
        raise DomainError("Zu diesem Vergleich gibt es bereits Angebote.", "Offers have already been made from this comparison.")
    inputs = stored_inputs(comparison)
    made = []
    with transaction():
        for slug in comparison.insurers:
            live = registry.get(slug)
            made.append(offers.create(broker, comparison.employer, live, offer_values(live, inputs),
                                      consultation=None, comparison=comparison))
        audit.record(broker, "comparison.offers_made", "comparison", comparison.id,
                     after={"offers": [o.id for o in made]}, employer=comparison.employer_id)
    return made


def offer_column(offer):
    """The column of a made offer: its stored figures and findings, its tenant version's tariffs."""
    live = registry.version(offer.tenant_version_id)
    staff = offer_benefits.known_staff(offer.employer, live, offer.groups, offer.start_date)
    shown = _column(live, live.tariffs, offer.groups, offer.figures, offer.warnings, offer.start_date,
                    Decimal(str(offer.figures.get("other_benefits_in_kind") or 0)), staff)
    return {**shown, "offer_id": offer.id, "state": "expired" if offers.is_expired(offer) else offer.state,
            "revision": offer.revision, "start_date": offer.start_date, "valid_until": offer.valid_until}


def send(broker, comparison):
    """Send the comparison's draft offers to the employer together: each offer through its own send
    step (its insurer's guards), one mail with one link (signals.comparison_sent), in one transaction."""
    drafts = [o for o in current_offers(comparison) if o.state == "draft"]
    if len(drafts) < MIN_INSURERS:
        raise DomainError("Zum gemeinsamen Versand braucht es mindestens zwei Angebotsentwürfe.",
                          "Sending together needs at least two draft offers.")
    with transaction():
        sent = [offers.send(broker, offer, registry.get(offer.tenant_id), together=True) for offer in drafts]
        Comparison.update(sent_at=utcnow(), sent_to=sent[0].sent_to).where(Comparison.id == comparison.id).execute()
        audit.record(broker, "comparison.sent", "comparison", comparison.id,
                     after={"offers": [o.id for o in sent], "to": sent[0].sent_to}, employer=comparison.employer_id)
        fresh = Comparison.get_by_id(comparison.id)
        signals.comparison_sent.send(fresh, offers=sent)
    return fresh


def decline_all(user, comparison, reason):
    """The employer declines every open offer of the comparison, with one reason."""
    open_offers = [o for o in current_offers(comparison) if o.state == "sent"]
    if not open_offers:
        raise DomainError("Hier ist kein Angebot mehr offen.", "No offer is open here any more.")
    with transaction():
        for offer in open_offers:
            offers.decline(user, offer, reason)


def pdf(comparison):
    """(filename, bytes) of the comparison of its offers side by side (pdf/comparison.html)."""
    return f"Angebotsvergleich-{comparison.id}.pdf", documents.render_pdf("comparison.html", **pdf_context(comparison))


def pdf_context(comparison):
    return dict(comparison=comparison, client=comparison.employer, broker=comparison.broker, tenant=PDF_FRAME,
                profile=brokers.profile(comparison.broker), inputs=stored_inputs(comparison),
                columns=[offer_column(offer) for offer in current_offers(comparison)])


def consultation_of(broker, consultation_id, client):
    """The broker's open consultation with this client a comparison is recorded in, or None."""
    if not consultation_id:
        return None
    consultation = Consultation.get_or_none((Consultation.id == consultation_id) & (Consultation.broker == broker)
                                            & (Consultation.employer == client.id))
    if consultation is None:
        raise NotFound("Beratung nicht gefunden.", "Consultation not found.")
    return consultation
