"""Consultations (§§ 61, 62 VVG): the broker presents the insurer's content modules, records the
employer's answers and a recommendation; completing it produces the consultation record PDF."""
from engine import audit, clock, documents, pricing, richtext, start_window, workflow
from engine.db import transaction
from engine.errors import DomainError, NotFound
from engine.models import Comparison, Consultation, Employer, Tenant, TenantVersion, utcnow


def modules_of(live, ids=None):
    modules = live.doc.get("content_modules", [])
    return [m for m in modules if ids is None or m["id"] in ids]


def module_html(module, lang="de"):
    """The module's Markdown in `lang` as safe HTML (engine/richtext.py); the German text where the
    tenant wrote no English one."""
    return richtext.html((lang == "en" and module.get("markdown_en")) or module.get("markdown", ""))


def start(broker, client, live, tariff_ids, module_ids):
    known_tariffs = set(live.tariffs)
    known_modules = {m["id"] for m in modules_of(live)}
    if not tariff_ids or not set(tariff_ids) <= known_tariffs:
        raise DomainError("Bitte wählen Sie mindestens einen Tarif.", "Please choose at least one tariff.",
                          field="tariffs")
    if not module_ids or not set(module_ids) <= known_modules:
        raise DomainError("Bitte wählen Sie mindestens einen Beratungsinhalt.",
                          "Please choose at least one content module.",
                          field="modules")
    with transaction():
        consultation = Consultation.create(
            broker=broker, employer=client, tenant=live.slug, tenant_version=live.version_id,
            tariffs=[t for t in live.tariffs if t in tariff_ids],
            modules=[m["id"] for m in modules_of(live) if m["id"] in module_ids])
        audit.record(broker, "consultation.started", "consultation", consultation.id, tenant=live.slug,
                     after={"tariffs": consultation.tariffs, "modules": consultation.modules}, employer=client.id)
    return consultation


def get_for(broker, consultation_id):
    consultation = Consultation.get_or_none((Consultation.id == consultation_id) & (Consultation.broker == broker))
    if consultation is None:
        raise NotFound("Beratung nicht gefunden.", "Consultation not found.")
    return consultation


def save_answers(broker, consultation, module_id, values):
    if consultation.state != "open":
        raise DomainError("Die Beratung ist abgeschlossen; Antworten lassen sich nicht mehr ändern.",
                          "The consultation has been completed; answers can no longer be changed.")
    with transaction():
        answers = dict(consultation.answers)
        before = answers.get(module_id)
        answers[module_id] = values
        Consultation.update(answers=answers).where(Consultation.id == consultation.id).execute()
        audit.record(broker, "consultation.answered", "consultation", consultation.id,
                     tenant=consultation.tenant_id, before={module_id: before}, after={module_id: values},
                     employer=consultation.employer_id)
    consultation.answers = answers


def live_figures(live, consultation, average_age=40, employer_share=100):
    """What each chosen tariff costs per employee and month, and per year for the whole staff."""
    start = start_window.first_of_next_month(clock.today())  # priced as if cover began next month
    employees = consultation.employer.employees_count or 0
    rows = []
    for tariff_id in consultation.tariffs:
        tariff = pricing.tariff_by_id(live, tariff_id)
        group = next((g["id"] for g in live.groups.values() if tariff_id in g["tariffs"]), None)
        person = pricing.Person(age=average_age, insured_count=employees or live.settings.min_insured)
        monthly = pricing.premium(live, tariff_id, group, person, start)
        rows.append({"tariff": tariff, "monthly": monthly, "yearly_total": monthly * 12 * employees})
    return rows


def complete(broker, consultation, recommendation):
    """Close the consultation with the broker's recommendation; the record PDF is made in the same step."""
    if not (recommendation or "").strip():
        raise DomainError("Bitte halten Sie Ihre Empfehlung fest.", "Please record your recommendation.",
                          field="recommendation")
    return workflow.fire(consultation, "consultation", "complete", broker,
                         changes={"completed_at": utcnow(), "recommendation": recommendation.strip()})


@workflow.effect("make_consultation_record")
def _make_record(consultation, ctx):
    from engine import brokers
    snapshot = TenantVersion.get_by_id(consultation.tenant_version_id).snapshot["doc"]
    modules = [m for m in snapshot.get("content_modules", []) if m["id"] in consultation.modules]
    pdf = documents.render_pdf("consultation.html", consultation=consultation, tenant=snapshot, modules=modules,
                               client=consultation.employer, broker=consultation.broker,
                               profile=brokers.profile(consultation.broker),
                               tariffs=[t for t in snapshot["tariffs"] if t["id"] in consultation.tariffs],
                               comparisons=list(consultation.comparisons.order_by(Comparison.id)))
    doc = documents.store("consultation_record", f"Beratungsprotokoll-{consultation.id}.pdf", "application/pdf", pdf,
                          employer=consultation.employer_id, tenant=consultation.tenant_id)
    Consultation.update(document=doc).where(Consultation.id == consultation.id).execute()


def open_for_broker(broker):
    return list(Consultation.select(Consultation, Employer, Tenant).join_from(Consultation, Employer)
                .join_from(Consultation, Tenant).where((Consultation.broker == broker) & (Consultation.state == "open")))
