"""Arrange a case up to a given step of the journey through the engine (the steps themselves are
tested through HTTP in tests/web); used by tests that act on later steps."""
from engine import (accounts, applications, brokers, clients, clock, contracts, employees, enrolments, events, offers,
                    pricing, registry, start_window)
from engine.models import Application, Tenant, User
from forms import validate
from tests.formfill import fill


def first_start(today=None):
    """The first allowed start on or after today: what a broker picks for "as soon as possible"."""
    return start_window.first_on_or_after(today or clock.today())


def tariff_choice(live, group, prefix=None):
    """Offer form values choosing a group's tariffs: its first budget level (levels are alternatives)
    and all its modules."""
    p = prefix or group["id"].replace("-", "_")
    levels, modules = pricing.levels_of(live, group["tariffs"]), pricing.modules_of(live, group["tariffs"])
    return {**({f"{p}__level": levels[0]} if levels else {}), f"{p}__tariffs": modules}


def chosen(live, group):
    """The tariffs `tariff_choice` chooses for a group, as they are priced."""
    return pricing.chosen_tariffs(live, {"tariffs": group["tariffs"]})


def submitted_application(slug, tag="x", password="correct-horse-42", submit=True, locale="de"):
    """A broker, an employer client with a member user, an accepted offer and a submitted application
    (with submit=False: filled in but not yet submitted). `locale`: the broker's language (a broker who
    registered on the English page gets the platform's mails in English).

    Returns dict(broker, employer_user, client, offer, application, live)."""
    live = registry.get(slug)
    broker = accounts.register(f"broker-{slug}-{tag}@example.org", password, name="Berta Broker", role="broker",
                               verified=True)
    if locale != "de":
        User.update(locale=locale).where(User.id == broker.id).execute()
        broker.locale = locale
    brokers.set_number(broker, live, live.doc["broker_number"]["example"])
    client = clients.create(broker, {"company_name": f"Kunde {slug} {tag} GmbH", "street": "Hauptstr. 1",
                                     "postal_code": "10115", "city": "Berlin", "industry": "agriculture",
                                     "employees_count": 30, "contact_name": "Clara Chefin",
                                     "contact_email": f"chefin-{slug}-{tag}@example.org"})
    employer_user = accounts.register(client.contact_email, password, name="Clara Chefin", role="employer",
                                      employer=client, verified=True)
    groups = live.doc["tariff_groups"]
    values = {"start_date": first_start(), "other_benefits_in_kind": 0}
    for group in groups:
        p = group["id"].replace("-", "_")
        values.update({f"{p}__include": True, **tariff_choice(live, group, p), f"{p}__employer_share": 100,
                       f"{p}__headcount": max(live.settings.get("min_insured", 1), 10), f"{p}__average_age": 40})
    offer = offers.create(broker, client, live, values)
    offer = offers.send(broker, offer, live)
    offers.accept(employer_user, offer)
    application = Application.get(Application.offer == offer)
    data = fill(live.compiled.application_form, {"payment": "sepa", "start_date": first_start().strftime("%d.%m.%Y")})
    result = validate(live.compiled.application_form, data, "de")
    assert result.ok, result.errors
    application, errors = applications.save(broker, application, data, live, application.lock_version)
    assert not errors, errors
    if submit:
        application = applications.submit(broker, application, live)
    broker.plain_password = employer_user.plain_password = password
    return {"broker": broker, "employer_user": employer_user, "client": client, "offer": offer,
            "application": application, "live": live, "tenant": Tenant.get_by_id(slug)}


CSV = ("Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart\n"
       "7001;Lang;Lea;01.01.1980;Weg 1;10115;Berlin;01.01.2010;Vollzeit\n")


def released_application(slug, tag="x", locale="de"):
    """A submitted application the insurer can see: released by the employer where the tenant needs it."""
    case = submitted_application(slug, tag=tag, locale=locale)
    if case["live"].settings.get("employer_release_required", True):
        contracts.release(case["employer_user"], case["application"])
    case["application"] = Application.get_by_id(case["application"].id)
    assert case["application"].state == "released"
    return case


def staffed_case(slug, staff, tag="x", locale="de"):
    """A group contract with one imported employee, ready for enrolment."""
    case = released_application(slug, tag=tag, locale=locale)
    contracts.accept(staff, contracts.application_for_insurer(slug, case["application"].id), f"GV-{tag}")
    contract = contracts.contracts_for_employer(case["employer_user"], slug)[0]
    batch = employees.preview(case["employer_user"], contract, "staff.csv", CSV.encode())
    employees.start(case["employer_user"], batch)
    employees.run_import(batch.id)
    person = employees.for_contract(contract)[0]
    assert person.tariff_group, person.explanation
    return {**case, "contract": contract, "employee": person}


def enrolled_case(slug, staff, tag="x", locale="de"):
    """A group contract with one imported employee whose enrolment is sent (state "sent")."""
    case = staffed_case(slug, staff, tag=tag, locale=locale)
    [enrolment], _ = enrolments.send(case["employer_user"], case["contract"], [case["employee"].id])
    return {**case, "enrolment": enrolment}


def insured_case_with_event(slug, staff, tag="x", locale="de"):
    """As enrolled_case, the policy issued, and an address change filed (state "submitted")."""
    case = enrolled_case(slug, staff, tag=tag, locale=locale)
    enrolments.accept(staff, case["enrolment"])
    event, _ = events.file(case["employer_user"], case["contract"], case["employee"], "address_change",
                           {"street": "Neue Str. 5", "postal_code": "01069", "city": "Dresden",
                            "effective_date": max(clock.today(), case["contract"].start_date)})
    return {**case, "event": event}


def running_contract_with_sent_enrolments(make_user, slug, count, tag="run"):
    """A group contract running since the 1st of this month (so events may lie in the past) with `count`
    imported employees whose enrolments were sent; and a staff member of the insurer.
    Returns (case, staff, contract, sent enrolments)."""
    from engine.models import GroupContract
    case = released_application(slug, tag=tag)
    staff = make_user("insurer", tenant=slug)
    contracts.accept(staff, contracts.application_for_insurer(slug, case["application"].id), f"GV-{tag}")
    contract = contracts.contracts_for_employer(case["employer_user"], slug)[0]
    GroupContract.update(start_date=clock.today().replace(day=1)).where(GroupContract.id == contract.id).execute()
    contract = GroupContract.get_by_id(contract.id)
    lines = "".join(f"{n};Nach{n};Vor{n};01.01.1980;Weg {n};10115;Berlin;01.01.2010;Vollzeit\n"
                    for n in range(1, count + 1))
    batch = employees.preview(case["employer_user"], contract, "e.csv", (CSV.splitlines(True)[0] + lines).encode())
    employees.start(case["employer_user"], batch)
    employees.run_import(batch.id)
    sent, _ = enrolments.send(case["employer_user"], contract, [p.id for p in employees.for_contract(contract)])
    assert len(sent) == count
    return case, staff, contract, sent

