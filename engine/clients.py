"""Employer clients of a broker. A broker sees only their own clients: every lookup is scoped. The client's
fields are its catalogue's (rules/catalogues/employer.yaml)."""
from forms import load_form
from rules import catalogue

from engine import audit, memberships, names, signals
from engine.db import transaction
from engine.errors import NotFound
from engine.models import Application, Consultation, Employer, Offer, Tenant

CATALOGUE = catalogue.load("employer")
FIELDS = tuple(field.name for field in CATALOGUE)


def form(fields=CATALOGUE):
    """The broker's client form of `fields` (a catalogue; by default the employer's)."""
    return load_form(catalogue.form_data(fields))


def as_values(client):
    return {name: getattr(client, name) for name in FIELDS}


def list_for(broker, query=""):
    """A broker's clients in German order ("Ärzte GmbH" with the A's); `query` finds a part of the company
    name, city or contact as engine.names folds it ("Muller" finds Müller and Mueller). A broker's book is
    read whole, so order and search are done here rather than in SQL."""
    clients = Employer.select().where(Employer.broker == broker)
    if query and query.strip():
        clients = [c for c in clients if names.matches(query.strip(), c.company_name, c.city, c.contact_name)]
    return sorted(clients, key=lambda client: (names.fold(client.company_name), client.id))


def count_for(broker):
    return Employer.select().where(Employer.broker == broker).count()


def get_for(broker, client_id):
    """The broker's client, or NotFound (also for another broker's client: no hint that it exists)."""
    client = Employer.get_or_none((Employer.id == client_id) & (Employer.broker == broker))
    if client is None:
        raise NotFound("Kunde nicht gefunden.", "Client not found.")
    return client


def create(broker, values):
    with transaction():
        client = Employer.create(broker=broker, **{k: values.get(k) for k in FIELDS if values.get(k) is not None})
        audit.record(broker, "client.created", "employer", client.id, after=as_values(client), employer=client.id)
    return client


def update(broker, client, values):
    with transaction():
        before = as_values(client)
        for name in FIELDS:
            if name in values and values[name] is not None:
                setattr(client, name, values[name])
        client.save()
        after = as_values(client)
        changed = {k: after[k] for k in FIELDS if before[k] != after[k]}
        if changed:
            audit.record(broker, "client.updated", "employer", client.id,
                         before={k: before[k] for k in changed}, after=changed, employer=client.id)
        if "contact_email" in changed:
            _tell_members(broker, client, before["contact_email"], after["contact_email"])
    return client


def _tell_members(broker, client, before, after):
    """The contact address receives offers and case mails: when it changes for an employer that has
    members, they are told (a new contact never becomes a member by this; engine/memberships)."""
    told = memberships.members(client.id)
    if not told:
        return
    audit.record(broker, "client.contact_changed", "employer", client.id, before={"contact_email": before},
                 after={"contact_email": after, "members_told": [user.email for user in told]}, employer=client.id)
    signals.contact_changed.send(client, actor=broker, before=before, after=after, members=told)


def case_of(client):
    """A client's consultations, offers and applications with their insurers, newest first."""
    return {"consultations": list(client.consultations.select(Consultation, Tenant).join(Tenant)
                                  .order_by(Consultation.id.desc())),
            "offers": list(client.offers.select(Offer, Tenant).join(Tenant).order_by(Offer.id.desc())),
            "applications": list(client.applications.select(Application, Tenant).join(Tenant)
                                 .order_by(Application.id.desc()))}
