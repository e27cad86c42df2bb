"""Names in German order and found however the umlaut is spelled (issue #18): the staff list sorts
Böhm before Braun and Özdemir with the O's; "schroder" finds Schröder and Schroeder."""
from engine import employees, names
from engine.models import Employee
from tests.engine.test_employees import contract_with_staff, imported

PEOPLE = ["Otto;Paul", "Braun;Berta", "Özdemir;Ayse", "Böhm;Anton", "Schröder;Gerd", "Schroeder;Hans",
          "Ohm;Olga", "Zweig;Anna", "Äbel;Emil", "Strauß;Ute"]


def staff(people=PEOPLE):
    return [f"{n};{person};01.01.1980;Weg {n};10115;Berlin;01.01.2010;Vollzeit\n"
            for n, person in enumerate(people, start=1)]


def shown(contract, search=""):
    rows, _ = employees.listing(contract, search=search)
    return [row.last_name for row in rows]


def test_a_name_is_folded_as_din_5007_sorts_it():
    assert names.fold("  Özdemir ") == "ozdemir" and names.fold("Strauß") == "strauss"
    assert names.sort_key("Anton", "Böhm") < names.sort_key("Berta", "Braun")
    assert names.searched("Schroeder") == names.searched("Schröder") == names.searched("SCHRODER")


def test_the_staff_list_is_in_german_order_and_finds_every_umlaut_spelling(app, make_user):
    case, contract, data = contract_with_staff(app, make_user, staff())
    with app.app_context():
        imported(case, contract, data)
        assert shown(contract) == ["Äbel", "Böhm", "Braun", "Ohm", "Otto", "Özdemir", "Schröder", "Schroeder",
                                   "Strauß", "Zweig"]
        assert set(shown(contract, "schroder")) == {"Schröder", "Schroeder"}
        assert set(shown(contract, "Schröder")) == set(shown(contract, "SCHROEDER")) == {"Schröder", "Schroeder"}
        assert shown(contract, "strauss") == ["Strauß"] and shown(contract, "abel") == ["Äbel"]
        assert shown(contract, "gerd") == ["Schröder"]  # the first name is found too
        assert shown(contract, "3") == ["Özdemir"]  # and the personnel number, unfolded


def test_a_name_changed_by_hand_is_sorted_by_its_new_spelling(app, make_user):
    case, contract, data = contract_with_staff(app, make_user, staff(["Braun;Berta", "Zweig;Anna"]))
    with app.app_context():
        imported(case, contract, data)
        zweig = Employee.get((Employee.contract == contract.id) & (Employee.last_name == "Zweig"))
        employees.save_by_hand(case["employer_user"], contract, {**employees.values_of(zweig), "last_name": "Ábel"},
                               employee=zweig)
        assert Employee.get_by_id(zweig.id).name_key == "abel anna"
        assert shown(contract) == ["Ábel", "Braun"]
        assert shown(contract, "abel") == ["Ábel"]


def test_a_changed_name_keeps_the_other_one():
    class Stored:
        first_name, last_name = "Gerd", "Schröder"
    assert names.keyed({"last_name": "Öz"}, Stored()) == {"last_name": "Öz", "name_key": "oz gerd"}
    assert names.keyed({"street": "Weg 1"}, Stored()) == {"street": "Weg 1"}


def test_the_back_office_queue_finds_a_person_however_the_umlaut_is_spelled(app, make_user):
    from engine import work_queue
    from tests.journey import enrolled_case
    staff = make_user("insurer", tenant="auxilia")
    with app.app_context():
        case = enrolled_case("auxilia", staff, tag="queue")
        person = case["employee"]
        employees.save_by_hand(case["employer_user"], case["contract"],
                               {**employees.values_of(person), "last_name": "Schröder"}, employee=person)
        for term in ("schroder", "Schroeder", "SCHRÖDER"):
            assert [e.employee_id for e in work_queue.enrolments("auxilia", search=term)] == [person.id], term
        assert list(work_queue.enrolments("auxilia", search="schmidt")) == []


def test_a_name_change_in_force_gives_the_new_sort_key(app, make_user):
    from engine import clock, cover, enrolments, events
    from tests.journey import enrolled_case
    staff = make_user("insurer", tenant="lumen")
    with app.app_context():
        case = enrolled_case("lumen", staff, tag="rename")
        enrolments.accept(staff, case["enrolment"])
        start = max(clock.today(), case["contract"].start_date)
        renamed, _ = events.file(case["employer_user"], case["contract"], Employee.get_by_id(case["employee"].id),
                                 "name_change", {"last_name": "Öztürk", "first_name": "Lea", "effective_date": start,
                                                 "reason": "marriage", "nachweis": "heiratsurkunde"})
        events.accept(staff, renamed)
        cover.apply_due(today=start)
        assert Employee.get_by_id(case["employee"].id).name_key == "ozturk lea"
        assert shown(case["contract"], "oeztuerk") == ["Öztürk"]


def test_the_brokers_clients_are_in_german_order_and_found_by_any_spelling(app):
    from engine import accounts, clients
    with app.app_context():
        broker = accounts.register("broker-names@example.org", "correct-horse-42", name="Berta Broker", role="broker",
                                   verified=True)
        for name in ("Zander AG", "Österle GmbH", "Otto KG", "Müller & Söhne", "Mueller Bau", "Braun OHG"):
            clients.create(broker, {"company_name": name, "street": "Hauptstr. 1", "postal_code": "10115",
                                    "city": "Berlin", "industry": "agriculture", "employees_count": 30,
                                    "contact_name": "Clara Chefin", "contact_email": "chefin@example.org"})
        assert [c.company_name for c in clients.list_for(broker)] == [
            "Braun OHG", "Mueller Bau", "Müller & Söhne", "Österle GmbH", "Otto KG", "Zander AG"]
        assert {c.company_name for c in clients.list_for(broker, "muller")} == {"Müller & Söhne", "Mueller Bau"}
        assert [c.company_name for c in clients.list_for(broker, "OESTERLE")] == ["Österle GmbH"]
