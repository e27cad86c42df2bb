"""The 24-month scenario per demo tenant (issues #15, #16; docs/contracts.md, "The 24-month scenario"):
a 20-person company insured from 01.01.2027, driven month by month to December 2028 through the
engine only, as the employer, the insurer and the daily job would (imports, enrolments, events,
a level change at the anniversary, the insurer's premium change, family members); every person's
monthly premium, the contract's monthly totals and the 24 statements are compared with a table
worked out by hand from the tenants' YAML and pinned here as literal numbers.

How to read the pinned table (a Scenario per tenant): `premiums` maps a person (personnel number,
or "16/Mia" for a family member) to segments (from month, amount, why); an amount holds from its
month until the next segment, 0.00 before the first. `totals` are the contract's 24 monthly totals
as the ledger has them in the end. `billed_late`: what a statement billed differently from that,
because a leaving was reported late (billed then, credited in the next statement by the correction
lines in `corrections`, per statement month); `removals`: who has a removal line in which month."""
import datetime
import json
import shutil
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from engine import (clock as platform_clock, contracts, cover, documents, employees, enrolments, events,
                    level_changes, registry, statements)
from engine.models import Employee, FamilyMember, GroupContract, Statement
from tests.journey import released_application
from tests.tenant_versions import load_live

D = datetime.date
MONTHS = [D(2027 + i // 12, i % 12 + 1, 1) for i in range(24)]
HEADER = "Personalnummer;Nachname;Vorname;Geburtsdatum;Straße;PLZ;Ort;Eintrittsdatum;Beschäftigungsart;Wochenstunden\n"

# The company: (last name, first name, born, entered, employment type). The same people at every
# insurer; entry dates after 2026 are hires of the second and third import.
STAFF = {
    "1": ("Adler", "Anna", D(1980, 6, 1), D(2010, 1, 1), "Vollzeit"),
    "2": ("Berg", "Ben", D(1985, 5, 5), D(2012, 3, 1), "Vollzeit"),        # leaves 15.06.2027, told in April
    "3": ("Christ", "Cora", D(1992, 2, 2), D(2015, 1, 1), "Vollzeit"),     # unpaid leave 03.2027-02.2028, back 01.2028
    "4": ("Dorn", "Dirk", D(1987, 3, 15), D(2011, 4, 1), "Vollzeit"),      # 40 on 15.03.2027
    "5": ("Eck", "Emil", D(1988, 9, 20), D(2014, 9, 1), "Vollzeit"),       # 40 on 20.09.2028; insurance age 40 in 2028
    "6": ("Fink", "Frida", D(1977, 8, 10), D(2009, 2, 1), "Vollzeit"),     # 50 on 10.08.2027
    "7": ("Graf", "Gero", D(1967, 11, 30), D(2001, 5, 1), "Vollzeit"),     # 60 on 30.11.2027
    "8": ("Hahn", "Hanna", D(1997, 10, 5), D(2020, 8, 1), "Vollzeit"),     # 30 on 05.10.2027
    "9": ("Iske", "Ida", D(1982, 12, 24), D(2016, 1, 1), "Vollzeit"),      # 45 on 24.12.2027
    "10": ("Jahn", "Jonas", D(2007, 8, 1), D(2025, 8, 1), "Azubi"),        # the trainee
    "11": ("Kurz", "Kai", D(1990, 1, 10), D(2026, 11, 1), "Vollzeit"),     # waiting period from 01.11.2026
    "12": ("Lenz", "Lea", D(1995, 4, 18), D(2019, 6, 1), "Vollzeit"),      # leaves 31.08.2027, told 20.10.2027
    "13": ("Mohr", "Max", D(1972, 5, 30), D(2005, 1, 1), "Vollzeit"),      # the tenant's other unpaid period
    "14": ("Nagel", "Nina", D(1999, 7, 7), D(2022, 3, 1), "Vollzeit"),    # leaves 30.11.2027, told 20.01.2028
    "15": ("Otto", "Olaf", D(1963, 3, 3), D(1990, 1, 1), "Vollzeit"),
    "16": ("Pohl", "Paula", D(1986, 6, 15), D(2013, 7, 1), "Vollzeit"),    # family members where insurable
    "17": ("Quast", "Quirin", D(1988, 2, 14), D(2027, 3, 1), "Vollzeit"),  # hired; 40 on 14.02.2028
    "18": ("Rau", "Rita", D(1984, 11, 11), D(2027, 4, 15), "Vollzeit"),    # hired mid-month
    "19": ("Sommer", "Sven", D(2001, 9, 9), D(2027, 6, 1), "Vollzeit"),    # hired
    "20": ("Thiel", "Tina", D(1975, 1, 31), D(2027, 10, 1), "Vollzeit"),   # hired, third import
}
IBAN = "DE89370400440532013000"
PDF = b"%PDF-1.4\n%%EOF\n"  # stands in for the rendered documents (see the test)
MANDATE = {"account_holder": "Paula Pohl", "iban": IBAN, "mandate_date": D(2027, 2, 1)}


def company(leaving, unpaid, mohr):
    """The actions every insurer's scenario shares: (day, action, *arguments). `leaving`: the
    tenant's extra leaving fields; `unpaid`: (kind, extra fields) of Cora's unpaid leave; `mohr`:
    Max Mohr's unpaid period (filed on, kind, start, end)."""
    kind, extra = unpaid
    filed, mohr_kind, start, end = mohr
    return [
        (D(2026, 12, 2), "import", "1-16"),
        (D(2027, 2, 10), "event", "3", kind, {"start_date": D(2027, 3, 1), "end_date": D(2028, 2, 29), **extra}),
        (D(2027, 2, 15), "import", "17-19"),
        (D(2027, 4, 10), "event", "2", "leaving", {"leaving_date": D(2027, 6, 15), **leaving}),  # filed ahead
        (filed, "event", "13", mohr_kind, {"start_date": start, "end_date": end}),
        (D(2027, 9, 15), "import", "20-20"),
        (D(2027, 10, 20), "event", "12", "leaving", {"leaving_date": D(2027, 8, 31), **leaving}),  # back-dated
        (D(2027, 12, 10), "event", "3", "return_to_work", {"return_date": D(2028, 1, 1)}),  # before the end
        # back-dated past the step of 01.01.2028 (level or premium change) already written and billed
        (D(2028, 1, 20), "event", "14", "leaving", {"leaving_date": D(2027, 11, 30), **leaving}),
    ]


@dataclass
class Scenario:
    slug: str
    actions: list
    premiums: dict
    totals: list
    billed_late: dict = field(default_factory=dict)
    corrections: dict = field(default_factory=dict)
    # {month: personnel numbers with a removal line}: billed the month before, no cover now
    removals: dict = field(default_factory=lambda: {"2027-07": ["2"], "2027-11": ["12"], "2028-02": ["14"]})


def monthly(segments):
    """{month: amount} over MONTHS from (from 'YYYY-MM', amount, why) segments; 0.00 before the first."""
    starts = {D(int(since[:4]), int(since[5:]), 1): Decimal(amount) for since, amount, _ in segments}
    found, amount = {}, Decimal("0.00")
    for month in MONTHS:
        amount = starts.get(month, amount)
        found[month] = amount
    return found


# --- Lumen ------------------------------------------------------------------------------------------
# tenants/lumen/tenant.yaml: budget tariffs, flat premiums (table "levels": 300 -> 11.90, 600 -> 22.90),
# the offer chose budget_300 for both groups (tests/journey.tariff_choice: the first level); insurance
# age, but the premiums do not depend on age, so its age steps change nothing. Waiting period 3 months
# for "alle" (months_between(employment_start, start) >= 3); trainees are in "azubis" (no waiting).
# Unpaid: parental_leave only suspended (ruhend, 0.00); long_sickness premium-free 6 months, then
# suspended. The employer asks for budget_600 for "alle" from the anniversary 01.01.2028 (notice
# 3 months: by 30.09.2027). The insurer publishes a premium change from 01.07.2028 (LUMEN_CHANGE)
# on 15.09.2027: 300 -> 12.50, 600 -> 23.90 (notice 6 weeks: it reaches the contract on valid_from).
L300, L600, L600N = ("2027-01", "11.90", "budget_300"), ("2028-01", "22.90", "Stufe 600 ab Jahrestag"), (
    "2028-07", "23.90", "Preisanpassung 2028-07: 600")
LUMEN_LEVELS = {"300": "12.50", "600": "23.90", "900": "36.90", "1200": "48.90"}
LUMEN_CHANGE = {tariff: {"levels": {"map": LUMEN_LEVELS}}
                for tariff in ("budget_300", "budget_600", "budget_900", "budget_1200")}
LUMEN = Scenario(
    "lumen",
    company({}, ("parental_leave", {"mode": "suspend"}),
            (D(2027, 4, 20), "long_sickness", D(2027, 5, 1), D(2027, 12, 31)))
    + [(D(2027, 9, 10), "level", "alle", "budget_600", D(2028, 1, 1)),
       (D(2027, 9, 15), "publish", D(2028, 7, 1), LUMEN_CHANGE)],
    {**{n: [L300, L600, L600N] for n in ("1", "4", "5", "6", "7", "8", "9", "15", "16")},
     "2": [L300, ("2027-07", "0.00", "Austritt 15.06.2027: versichert bis 30.06.")],
     "3": [L300, ("2027-03", "0.00", "Elternzeit ruhend"), ("2028-01", "22.90", "Rückkehr 01.01.2028, Stufe 600"),
           L600N],
     "10": [("2027-01", "11.90", "Azubi: Gruppe azubis, budget_300"), ("2028-01", "11.90", "azubis bleibt bei 300"),
            ("2028-07", "12.50", "Preisanpassung 2028-07: 300")],
     "11": [("2027-02", "11.90", "Wartezeit 3 Monate ab 01.11.2026"), L600, L600N],
     "12": [L300, ("2027-09", "0.00", "Austritt 31.08.2027, nachträglich gemeldet")],
     "13": [L300, ("2027-05", "0.00", "Krankengeld: 6 Monate beitragsfrei"), ("2027-11", "0.00", "danach ruhend"),
            ("2028-01", "22.90", "Ende 31.12.2027, wieder versichert, Stufe 600"), L600N],
     "14": [L300, ("2027-12", "0.00", "Austritt 30.11.2027, gemeldet nach der Stufe 600")],
     "17": [("2027-06", "11.90", "Eintritt 01.03.2027 + 3 Monate"), L600, L600N],
     "18": [("2027-08", "11.90", "Eintritt 15.04.2027: 3 volle Monate am 01.08."), L600, L600N],
     "19": [("2027-09", "11.90", "Eintritt 01.06.2027 + 3 Monate"), L600, L600N],
     "20": [("2028-01", "22.90", "Eintritt 01.10.2027 + 3 Monate, gleich Stufe 600"), L600N]},
    # 2027: 11.90 x insured people (15, 16, 15, 15, 14, 15, 14, 15, 15, 15, 15, 14); 2028-01..06:
    # 16 x 22.90 + Jonas 11.90; 2028-07..12: 16 x 23.90 + 12.50
    ["178.50", "190.40", "178.50", "178.50", "166.60", "178.50", "166.60", "178.50", "178.50", "178.50", "178.50",
     "166.60", "378.30", "378.30", "378.30", "378.30", "378.30", "378.30", "394.90", "394.90", "394.90", "394.90",
     "394.90", "394.90"],
    # Lea billed for September and October, Nina for December and January
    {"2027-09": "11.90", "2027-10": "11.90", "2027-11": "-23.80", "2027-12": "11.90", "2028-01": "22.90",
     "2028-02": "-34.80"},
    {"2027-11": [("12", D(2027, 9, 1), "-11.90"), ("12", D(2027, 10, 1), "-11.90")],
     "2028-02": [("14", D(2027, 12, 1), "-11.90"), ("14", D(2028, 1, 1), "-22.90")]})


# --- Auxilia ----------------------------------------------------------------------------------------
# tenants/auxilia/tenant.yaml: group "alle" = zahn + sehen + vorsorge, age at start (completed years
# on the day priced; an age step on the 1st of the month after the birthday). Tables used:
#   zahn      15-29 8.90 | 30-44 12.40 | 45-59 16.80 | 60+ 21.50; from 01.01.2028 (premium.changes,
#             in the version the contract was made with, so from valid_from): 9.25 | 12.90 | 17.45 | 22.35
#   sehen     15-39 4.20 | 40+ 6.10
#   vorsorge  15-49 5.60 | 50+ 7.90
#   family_premium: zahn spouse 9.90, child 0-5 4.90, 6-17 7.90; sehen 4.50 each (no 2028 change)
# Waiting period 6 months. parental_leave mode "suspend": ruhend 0.00; care_leave premium-free.
AUXILIA = Scenario(
    "auxilia",
    company({}, ("parental_leave", {"mode": "suspend"}),
            (D(2028, 1, 15), "care_leave", D(2028, 2, 1), D(2028, 4, 30)))
    + [(D(2027, 2, 10), "event", "16", "family_member_added",
        {"role": "child", "first_name": "Mia", "last_name": "Pohl", "birth_date": D(2021, 5, 20),
         "start_date": D(2027, 3, 1), **MANDATE}),
       (D(2027, 6, 10), "event", "16", "family_member_added",
        {"role": "spouse", "first_name": "Tom", "last_name": "Pohl", "birth_date": D(1985, 1, 1),
         "start_date": D(2027, 7, 1), **MANDATE}),
       (D(2028, 5, 20), "event", "16", "family_member_removed", {"family_member": "Tom", "end_date": D(2028, 6, 15)})],
    {"1": [("2027-01", "28.50", "46: Zahn 45-59 16.80 + Sehen 6.10 + Vorsorge 5.60"),
           ("2028-01", "29.15", "Preisanpassung 2028-01: Zahn 17.45")],
     "2": [("2027-01", "24.10", "41: Zahn 12.40 + Sehen 6.10 + Vorsorge 5.60"),
           ("2027-07", "0.00", "Austritt 15.06.2027")],
     "3": [("2027-01", "22.20", "34: Zahn 12.40 + Sehen 4.20 + Vorsorge 5.60"), ("2027-03", "0.00", "Elternzeit ruhend"),
           ("2028-01", "22.70", "Rückkehr 01.01.2028, 35: Zahn 12.90 + 4.20 + 5.60")],
     "4": [("2027-01", "22.20", "39: 12.40 + 4.20 + 5.60"), ("2027-04", "24.10", "40 am 15.03.: Sehen 6.10"),
           ("2028-01", "24.60", "Preisanpassung 2028-01: Zahn 12.90")],
     "5": [("2027-01", "22.20", "38: 12.40 + 4.20 + 5.60"), ("2028-01", "22.70", "Preisanpassung: Zahn 12.90"),
           ("2028-10", "24.60", "40 am 20.09.2028: Sehen 6.10")],
     "6": [("2027-01", "28.50", "49: 16.80 + 6.10 + 5.60"), ("2027-09", "30.80", "50 am 10.08.: Vorsorge 7.90"),
           ("2028-01", "31.45", "Preisanpassung: Zahn 17.45")],
     "7": [("2027-01", "30.80", "59: 16.80 + 6.10 + 7.90"), ("2027-12", "35.50", "60 am 30.11.: Zahn 21.50"),
           ("2028-01", "36.35", "Preisanpassung: Zahn 22.35")],
     "8": [("2027-01", "18.70", "29: 8.90 + 4.20 + 5.60"), ("2027-11", "22.20", "30 am 05.10.: Zahn 12.40"),
           ("2028-01", "22.70", "Preisanpassung: Zahn 12.90")],
     "9": [("2027-01", "24.10", "44: 12.40 + 6.10 + 5.60"),
           ("2028-01", "29.15", "45 am 24.12.2027 und Preisanpassung am selben Tag: Zahn 17.45")],
     "10": [("2027-01", "18.70", "Azubi, 19: 8.90 + 4.20 + 5.60"), ("2028-01", "19.05", "Preisanpassung: Zahn 9.25")],
     "11": [("2027-05", "22.20", "Wartezeit 6 Monate ab 01.11.2026; 37"), ("2028-01", "22.70", "Zahn 12.90")],
     "12": [("2027-01", "22.20", "31: 12.40 + 4.20 + 5.60"), ("2027-09", "0.00", "Austritt 31.08.2027, nachträglich")],
     "13": [("2027-01", "30.80", "54: 16.80 + 6.10 + Vorsorge 50+ 7.90"), ("2028-01", "31.45", "Zahn 17.45"),
            ("2028-02", "0.00", "Pflegezeit beitragsfrei"), ("2028-05", "31.45", "zurück nach dem 30.04.2028; 55")],
     "14": [("2027-01", "18.70", "27: 8.90 + 4.20 + 5.60"), ("2027-12", "0.00", "Austritt 30.11.2027, nachträglich")],
     "15": [("2027-01", "35.50", "63: 21.50 + 6.10 + 7.90"), ("2028-01", "36.35", "Zahn 22.35")],
     "16": [("2027-01", "24.10", "40: 12.40 + 6.10 + 5.60"), ("2028-01", "24.60", "Zahn 12.90")],
     "17": [("2027-09", "22.20", "Eintritt 01.03.2027 + 6 Monate; 39"), ("2028-01", "22.70", "Zahn 12.90"),
            ("2028-03", "24.60", "40 am 14.02.2028: Sehen 6.10")],
     "18": [("2027-11", "24.10", "Eintritt 15.04.2027: 6 volle Monate am 01.11.; 42: 12.40 + 6.10 + 5.60"),
            ("2028-01", "24.60", "Zahn 12.90")],
     "19": [("2027-12", "18.70", "Eintritt 01.06.2027 + 6 Monate; 26"), ("2028-01", "19.05", "Zahn 9.25")],
     "20": [("2028-04", "31.45", "Eintritt 01.10.2027 + 6 Monate; 53: Zahn 17.45 (neu) + 6.10 + 7.90")],
     "16/Mia": [("2027-03", "9.40", "Kind, 5: Zahn 4.90 + Sehen 4.50"), ("2027-06", "12.40", "6 am 20.05.: Zahn 7.90")],
     "16/Tom": [("2027-07", "14.40", "Partner: Zahn 9.90 + Sehen 4.50"), ("2028-07", "0.00", "abgemeldet zum 15.06.2028")]},
    # the sum of the rows above per month (employees and family members)
    ["371.30", "371.30", "358.50", "360.40", "382.60", "385.60", "375.90", "375.90", "378.20", "378.20", "405.80",
     "410.50", "446.10", "414.65", "416.55", "448.00", "479.45", "479.45", "465.05", "465.05", "465.05", "466.95",
     "466.95", "466.95"],
    {"2027-09": "22.20", "2027-10": "22.20", "2027-11": "-44.40", "2027-12": "18.70", "2028-01": "19.05",
     "2028-02": "-37.75"},
    {"2027-11": [("12", D(2027, 9, 1), "-22.20"), ("12", D(2027, 10, 1), "-22.20")],
     "2028-02": [("14", D(2027, 12, 1), "-18.70"), ("14", D(2028, 1, 1), "-19.05")]},
    {"2027-07": ["2"], "2027-11": ["12"], "2028-02": ["14"], "2028-07": ["16"]})   # Tom's line is under Paula's number


# --- Nordhafen --------------------------------------------------------------------------------------
# tenants/nordhafen/tenant.yaml: one group "belegschaft", insurance age (calendar year minus year of
# birth; steps on 1 January), table "beitrag" kompakt 0-39 17.50 | 40+ 21.90, komfort 0-39 33.80 |
# 40+ 41.20; the offer chose kompakt. No waiting period, no parental leave: long_sickness is suspended
# (ruhend), care_leave paid by the person (the premium stays due). The employer asks for komfort from
# the anniversary 01.01.2028 (notice 1 month). The insurer publishes a change from 01.07.2028 on
# 15.09.2027 (NORDHAFEN_CHANGE): kompakt 18.20 | 22.80, komfort 35.10 | 42.90.
NORDHAFEN_CHANGE = {"kompakt": {"beitrag": {"bands": [{"from": 0, "to": 39, "value": "18.20"},
                                                      {"from": 40, "to": 120, "value": "22.80"}]}},
                    "komfort": {"beitrag": {"bands": [{"from": 0, "to": 39, "value": "35.10"},
                                                      {"from": 40, "to": 120, "value": "42.90"}]}}}
OLD = [("2027-01", "21.90", "kompakt 40+"), ("2028-01", "41.20", "komfort 40+ ab Jahrestag"),
       ("2028-07", "42.90", "Preisanpassung 2028-07")]
YOUNG = [("2027-01", "17.50", "kompakt 0-39"), ("2028-01", "33.80", "komfort 0-39 ab Jahrestag"),
         ("2028-07", "35.10", "Preisanpassung 2028-07")]
NORDHAFEN = Scenario(
    "nordhafen",
    company({"austrittsgrund": "kuendigung"}, ("long_sickness", {}),
            (D(2027, 4, 20), "care_leave", D(2027, 5, 1), D(2027, 10, 31)))
    + [(D(2027, 9, 10), "level", "belegschaft", "komfort", D(2028, 1, 1)),
       (D(2027, 9, 15), "publish", D(2028, 7, 1), NORDHAFEN_CHANGE)],
    {**{n: OLD for n in ("1", "4", "6", "7", "9", "15", "16")},   # insurance age 40 or more from 2027
     **{n: YOUNG for n in ("8", "10", "11")},                     # below 40 through 2028
     "2": [OLD[0], ("2027-07", "0.00", "Austritt 15.06.2027")],
     "3": [YOUNG[0], ("2027-03", "0.00", "Krankengeld ruhend"), ("2028-01", "33.80", "Rückkehr 01.01.2028, komfort"),
           YOUNG[2]],
     "5": [YOUNG[0], ("2028-01", "41.20", "Versicherungsalter 40 in 2028 und komfort"), OLD[2]],
     "12": [YOUNG[0], ("2027-09", "0.00", "Austritt 31.08.2027, nachträglich")],
     "14": [YOUNG[0], ("2027-12", "0.00", "Austritt 30.11.2027, gemeldet nach komfort")],
     "13": [("2027-01", "21.90", "kompakt 40+; Pflegezeit 05-10.2027 zahlt er selbst, der Beitrag bleibt")]
     + OLD[1:],
     "17": [("2027-03", "17.50", "Eintritt 01.03.2027, 39"), ("2028-01", "41.20", "40 in 2028, komfort"), OLD[2]],
     "18": [("2027-05", "21.90", "Eintritt 15.04.2027: ab 01.05."), *OLD[1:]],
     "19": [("2027-06", "17.50", "Eintritt 01.06.2027"), *YOUNG[1:]],
     "20": [("2027-10", "21.90", "Eintritt 01.10.2027"), *OLD[1:]]},
    # 2027: 21.90 x those of 40+ + 17.50 x the younger; 2028-01..06: 12 x 41.20 + 5 x 33.80;
    # 2028-07..12: 12 x 42.90 + 5 x 35.10
    ["319.60", "319.60", "319.60", "319.60", "341.50", "359.00", "337.10", "337.10", "319.60", "341.50", "341.50",
     "324.00", "663.40", "663.40", "663.40", "663.40", "663.40", "663.40", "690.30", "690.30", "690.30", "690.30",
     "690.30", "690.30"],
    {"2027-09": "17.50", "2027-10": "17.50", "2027-11": "-35.00", "2027-12": "17.50", "2028-01": "33.80",
     "2028-02": "-51.30"},
    {"2027-11": [("12", D(2027, 9, 1), "-17.50"), ("12", D(2027, 10, 1), "-17.50")],
     "2028-02": [("14", D(2027, 12, 1), "-17.50"), ("14", D(2028, 1, 1), "-33.80")]})


# --- the driver -------------------------------------------------------------------------------------

def move_to(clock, day):
    clock.move_to(datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=platform_clock.ZONE))


class Company:
    """The scenario's actors and contract; each action is a method named as in the plan."""

    def __init__(self, slug, make_user, tmp_path):
        self.slug, self.tmp_path = slug, tmp_path
        self.staff = make_user("insurer", tenant=slug)
        case = released_application(slug, tag="s24")
        contracts.accept(self.staff, contracts.application_for_insurer(slug, case["application"].id), "GV-s24")
        self.employer = case["employer_user"]
        self.contract_id = contracts.contracts_for_employer(self.employer, slug)[0].id

    @property
    def contract(self):
        return GroupContract.get_by_id(self.contract_id)   # fresh: a level change rewrites its groups

    def person(self, number):
        return Employee.get((Employee.contract == self.contract_id) & (Employee.personnel_number == number))

    def member(self, number, first_name):
        return FamilyMember.get((FamilyMember.employee == self.person(number).id)
                                & (FamilyMember.first_name == first_name))

    def insured(self, key):
        number, _, first_name = key.partition("/")
        return self.member(number, first_name) if first_name else self.person(number)

    def import_(self, numbers):
        first, last = (int(n) for n in numbers.split("-"))
        rows = "".join(f"{n};{STAFF[str(n)][0]};{STAFF[str(n)][1]};{STAFF[str(n)][2]:%d.%m.%Y};Weg {n};10115;Berlin;"
                       f"{STAFF[str(n)][3]:%d.%m.%Y};{STAFF[str(n)][4]};40\n" for n in range(first, last + 1))
        batch = employees.preview(self.employer, self.contract, "personal.csv", (HEADER + rows).encode())
        employees.start(self.employer, batch)
        employees.run_import(batch.id)

    def event(self, number, kind, values):
        if "family_member" in values:   # the form names the family member by id
            values = {**values, "family_member": self.member(number, values["family_member"]).id}
        event, _ = events.file(self.employer, self.contract, self.person(number), kind, values)
        events.accept(self.staff, event)

    def level(self, group, level, effective):
        level_changes.request(self.employer, self.contract, group, level, effective)

    def publish(self, valid_from, tables):
        """The insurer publishes a new version of its tenant with a dated premium change."""
        folder = self.tmp_path / "published" / self.slug
        shutil.copytree(f"tenants/{self.slug}", folder)
        tenant_yaml = folder / "tenant.yaml"
        text = tenant_yaml.read_text(encoding="utf-8")
        for tariff, figures in tables.items():   # a change under the tariff's premium, its tables in flow style
            start = text.index(f"  - id: {tariff}\n")
            at = text.index("    premium:\n", start) + len("    premium:\n")
            text = (text[:at] + f"      changes:\n        - valid_from: {valid_from.isoformat()}\n"
                    f"          tables: {json.dumps(figures)}\n" + text[at:])
        tenant_yaml.write_text(text, encoding="utf-8")
        [(_, status, problems)] = load_live(folder.parent)
        assert status == "new", problems

    def daily_job(self, today):
        """What the platform does each day: enrol who is ready ("enrol all"; the insurer accepts),
        write what became due into the ledger, issue the month's statements."""
        sent, _ = enrolments.send(self.employer, self.contract, enrolments.ready_ids(self.contract))
        for enrolment in sent:
            enrolments.accept(self.staff, enrolment)
        cover.apply_due(today)
        statements.issue_due(today)


def drive(scenario, make_user, clock, tmp_path):
    """Run the scenario's 24 months; returns the company and {month: the issued statement's view}."""
    firm = Company(scenario.slug, make_user, tmp_path)
    plan = {}
    for day, action, *arguments in scenario.actions:
        plan.setdefault(day, []).append((action, arguments))
    billed = {}
    for day in sorted(set(plan) | set(MONTHS)):
        move_to(clock, day)
        for action, arguments in plan.get(day, []):
            getattr(firm, "import_" if action == "import" else action)(*arguments)
        firm.daily_job(day)
        if day in MONTHS:
            statement = Statement.get((Statement.contract == firm.contract_id) & (Statement.month == day))
            billed[day] = statements.view(statement)
    return firm, billed


def amounts(mapping):
    return {D(int(month[:4]), int(month[5:]), 1): Decimal(amount) for month, amount in mapping.items()}


@pytest.mark.parametrize("scenario", [LUMEN, AUXILIA, NORDHAFEN], ids=lambda s: s.slug)
def test_24_months_of_a_20_person_company_match_the_hand_computed_table(app, make_user, clock, tmp_path, scenario,
                                                                          monkeypatch):
    # no PDF rendering in the loop (about a second each; 24 statements and 20 policies): the PDFs of
    # policies and statements are tested in test_statements.py and tests/web, the figures here
    monkeypatch.setattr(documents, "render_pdf", lambda template, **context: PDF)
    with app.app_context():
        try:
            firm, billed = drive(scenario, make_user, clock, tmp_path)
            contract = firm.contract
            seen = {key: {month: cover.premium_for(firm.insured(key), month) for month in MONTHS}
                    for key in scenario.premiums}
            assert seen == {key: monthly(segments) for key, segments in scenario.premiums.items()}
            assert set(scenario.premiums) >= set(STAFF)                       # every person is pinned
            totals = dict(zip(MONTHS, (Decimal(t) for t in scenario.totals)))
            assert {month: cover.contract_total(contract, month) for month in MONTHS} == totals
            late = amounts(scenario.billed_late)
            assert {month: view["total"] for month, view in billed.items()} == {
                month: total + late.get(month, Decimal("0.00")) for month, total in totals.items()}
            assert {month: [(line["personnel_number"], line["for_month"], line["amount"])
                            for line in view["lines"] if line["kind"] == "correction"]
                    for month, view in billed.items()} == {
                month: [(number, for_month, Decimal(amount))
                        for number, for_month, amount in scenario.corrections.get(f"{month:%Y-%m}", [])]
                for month in MONTHS}
            assert {month: [line["personnel_number"] for line in view["lines"] if line["kind"] == "removal"]
                    for month, view in billed.items()} == {
                month: scenario.removals.get(f"{month:%Y-%m}", []) for month in MONTHS}
        finally:
            registry.sync("tenants")
