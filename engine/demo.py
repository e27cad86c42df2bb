"""Demo data for `make demo`: one account per role, each with a known password printed at the end."""
from engine import accounts
from engine.db import transaction
from engine.models import Employer, Tenant

DEMO_PASSWORD = {
    "admin": "Demo-Admin-2026",
    "broker": "Demo-Makler-2026",
    "employer": "Demo-Arbeitgeber-2026",
    "insurer": "Demo-Versicherer-2026",
}


def _ensure_user(email, password, name, **kwargs):
    user = accounts.find_user(email)
    if user is None:
        user = accounts.register(email, password, name=name, verified=True, **kwargs)
    return user


def seed():
    """Create the demo accounts if missing (existing ones keep their data); returns (email, password, what)."""
    created = []
    with transaction():
        _ensure_user("admin@demo.bkv", DEMO_PASSWORD["admin"], "Plattform-Admin", is_admin=True)
        created.append(("admin@demo.bkv", DEMO_PASSWORD["admin"], "Plattform-Admin: /admin"))
        broker = _ensure_user("makler@demo.bkv", DEMO_PASSWORD["broker"], "Maria Makler", role="broker")
        created.append(("makler@demo.bkv", DEMO_PASSWORD["broker"], "Makler: /advisor"))
        employer = Employer.get_or_none(Employer.company_name == "Muster Maschinenbau GmbH")
        if employer is None:
            employer = Employer.create(broker=broker, company_name="Muster Maschinenbau GmbH", street="Industriestr. 5",
                                       postal_code="70565", city="Stuttgart", industry="manufacturing",
                                       employees_count=48, contact_name="Erik Arbeitgeber",
                                       contact_email="arbeitgeber@demo.bkv")
        staff = _ensure_user("arbeitgeber@demo.bkv", DEMO_PASSWORD["employer"], "Erik Arbeitgeber")
        accounts.grant_role(staff, "employer", employer=employer)
        created.append(("arbeitgeber@demo.bkv", DEMO_PASSWORD["employer"], "Arbeitgeber: /employer"))
        for tenant in Tenant.select().order_by(Tenant.slug):
            email = f"office-{tenant.slug}@demo.bkv"
            user = _ensure_user(email, DEMO_PASSWORD["insurer"], f"Backoffice {tenant.name}")
            accounts.grant_role(user, "insurer", tenant=tenant)
            created.append((email, DEMO_PASSWORD["insurer"], f"Backoffice: /m/{tenant.slug}/office"))
    return created
