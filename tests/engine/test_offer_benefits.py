"""The offer's 50 EUR check per person (engine/offer_benefits.py): each known person of a group at their
own age, or a person of the oldest working age (67) while the staff are unknown; never the average.

auxilia "alle" (Zahn, Sehen, Vorsorge): 24.10 EUR at 40, 30.80 EUR at 51, 35.50 EUR at 67.
auxilia "fuehrung" (also Klinik Plus): 43.70 EUR at 40, 58.20 EUR at 51, 74.40 EUR at 67."""
import datetime
from decimal import Decimal

import pytest

from engine import checks, contracts, employees, offers, pricing, registry
from engine.simulate import load_live, tenant_folder
from tests.journey import first_start, released_application

START = datetime.date(2027, 1, 1)
TODAY = datetime.date(2026, 12, 2)
LIMIT = "offer_benefit_in_kind_limit"


class Client:
    """A client the platform knows no staff of (no database)."""
    employees_count, industry = 30, ""


@pytest.fixture(scope="module")
def auxilia():
    return load_live(tenant_folder("auxilia"))


def values(other, groups=("alle", "fuehrung"), start=START):
    found = {"start_date": start, "other_benefits_in_kind": Decimal(other)}
    for group in groups:
        found.update({f"{group}__include": True, f"{group}__employer_share": Decimal(100),
                      f"{group}__headcount": 10, f"{group}__average_age": 40,
                      f"{group}__tariffs": ["zahn", "sehen", "vorsorge"] + (["stationaer"] if group == "fuehrung" else [])})
    return found


def warned(findings):
    return {f["group"]: f for f in findings if f["rule"] == LIMIT}


def findings_without_staff(live, other, groups=("alle", "fuehrung")):
    chosen = offers.groups_from(live, values(other, groups))
    figures = pricing.price_offer(live, chosen, START)
    return figures, checks.offer_findings(live, Client(), chosen, figures, START, Decimal(other), today=TODAY)


def test_without_staff_the_oldest_working_age_is_checked_not_the_average(auxilia):
    figures, found = findings_without_staff(auxilia, "0")
    assert [g["employer"] for g in figures["groups"]] == [Decimal("24.10"), Decimal("43.70")]  # totals: age 40
    by_group = warned(found)
    assert set(by_group) == {"fuehrung"}                          # 43.70 at 40, but 74.40 at 67
    text = by_group["fuehrung"]["text"]
    assert text["de"].startswith("Belegschaft noch nicht bekannt: bei einer 67-jährigen Person 74,40 EUR.")
    assert "a person aged 67 would have 74.40 EUR" in text["en"]
    assert (by_group["fuehrung"]["highest"], by_group["fuehrung"]["age"], by_group["fuehrung"]["staff_known"]) == (
        "74.40", 67, False)


def test_other_benefits_push_the_oldest_person_over_and_exactly_the_limit_is_not_over(auxilia):
    # alle at 67: 35.50 EUR; with 14.50 EUR of other benefits exactly 50.00, with 14.51 EUR 50.01
    assert warned(findings_without_staff(auxilia, "14.50", ("alle",))[1]) == {}
    [finding] = warned(findings_without_staff(auxilia, "14.51", ("alle",))[1]).values()
    assert "bei einer 67-jährigen Person 50,01 EUR" in finding["text"]["de"]
    # the old check priced the average age 40: 24.10 + 14.51 = 38.61, no warning
    assert "50,01 EUR" in finding["text"]["de"] and "50,00 EUR" in finding["text"]["de"]


STAFF = ("Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;Tarifgruppe\n"
         "1;Meier;Mia;01.06.1975;Weg 1;10115;Berlin;01.01.2010;Vollzeit;Führungskräfte\n"   # 51: 58.20 EUR
         "2;Alt;Ali;01.03.1975;Weg 2;10115;Berlin;01.01.2010;Vollzeit;\n"                   # 51: 30.80 EUR
         "3;Jung;Jan;02.02.1995;Weg 3;10115;Berlin;01.01.2015;Vollzeit;\n"                  # 31: 22.20 EUR
         "4;Mini;Moe;03.03.1950;Weg 4;10115;Berlin;01.01.2015;Minijob;\n")                  # no group


def client_with_staff(make_user, tag):
    """An auxilia client with a running contract whose four employees the platform knows."""
    case = released_application("auxilia", tag=tag)
    contracts.accept(make_user("insurer", tenant="auxilia"),
                     contracts.application_for_insurer("auxilia", case["application"].id), f"GV-{tag}")
    contract = contracts.contracts_for_employer(case["employer_user"], "auxilia")[0]
    batch = employees.preview(case["employer_user"], contract, "staff.csv", STAFF.encode())
    employees.start(case["employer_user"], batch)
    employees.run_import(batch.id)
    assert {p.personnel_number: p.tariff_group for p in employees.for_contract(contract)} == {
        "1": "fuehrung", "2": "alle", "3": "alle", "4": None}
    return case


def test_known_staff_are_checked_person_by_person(app, make_user):
    with app.app_context():
        case = client_with_staff(make_user, "ob1")
        broker, client, live = case["broker"], case["client"], registry.get("auxilia")
        offer = offers.create(broker, client, live, values("0", start=first_start()))
        assert [g["employer"] for g in offer.figures["groups"]] == ["24.10", "43.70"]  # the totals keep age 40
        by_group = warned(offer.warnings)
        assert set(by_group) == {"fuehrung"}      # Mia, the manager aged 51: 58.20 EUR though the average is 43.70
        assert by_group["fuehrung"]["text"]["de"].startswith("1 Person über 50,00 EUR, höchstens 58,20 EUR (Alter 51).")
        assert by_group["fuehrung"]["text"]["en"].startswith("1 person over 50.00 EUR, at most 58.20 EUR (age 51).")
        assert (by_group["fuehrung"]["persons_over"], by_group["fuehrung"]["staff_known"]) == (1, True)

        # alle: Ali (51) 30.80 + 19.20 = 50.00 exactly, not over (a person of 67 would be: 54.70)
        offer = offers.create(broker, client, live, values("19.20", start=first_start()))
        assert set(warned(offer.warnings)) == {"fuehrung"}
        offer = offers.create(broker, client, live, values("19.21", start=first_start()))
        alle = warned(offer.warnings)["alle"]
        assert alle["text"]["de"].startswith("1 Person über 50,00 EUR, höchstens 50,01 EUR (Alter 51).")
        assert warned(offer.warnings)["fuehrung"]["text"]["de"].startswith(
            "1 Person über 50,00 EUR, höchstens 77,41 EUR (Alter 51).")
        # every known person of a group over the limit is counted: Jan (31) 22.20 + 27.81 = 50.01 too, and
        # with "alle" offered alone Mia, the manager, is in it (30.80 + 27.81 = 58.61 like Ali); Moe never is
        offer = offers.create(broker, client, live, values("27.81", ("alle",), start=first_start()))
        assert warned(offer.warnings)["alle"]["text"]["de"] == (
            "3 Personen über 50,00 EUR, höchstens 58,61 EUR (Alter 51). Sachbezüge von 58,61 EUR im Monat "
            "übersteigen die Freigrenze von 50,00 EUR: der ganze Betrag wird steuer- und beitragspflichtig.")
