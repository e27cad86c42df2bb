"""A tenant's SEPA creditor identifier: the checker computes its check digits, and wants the account."""
import io
import json

from tenants.check import main
from tenants.sepa import check_digits, creditor_id_problem


def test_the_bundesbank_example_is_valid_and_a_changed_digit_is_not():
    assert creditor_id_problem("DE98ZZZ09999999999") is None
    assert "check digits should be 98" in creditor_id_problem("DE97ZZZ09999999999")
    assert "11 digits" in creditor_id_problem("DE98ZZZ0999999999")
    assert check_digits("DE", "09999900001") == "49"


def problems(tenant):
    out = io.StringIO()
    main([str(tenant.folder)], as_json=True, out=out)
    return [(p["path"], p["message"]) for p in json.loads(out.getvalue())]


def test_the_checker_refuses_a_wrong_creditor_id_and_one_without_account(demo_copy):
    lumen = demo_copy("lumen").replace("creditor_id: DE49ZZZ09999900001", "creditor_id: DE48ZZZ09999900001")
    assert problems(lumen) == [("settings.creditor_id",
                                "found 'DE48ZZZ09999900001', whose check digits should be 49")]
    lumen = lumen.replace("creditor_id: DE48ZZZ09999900001", "creditor_id: DE49ZZZ09999900001")
    lumen = lumen.replace("  creditor_iban: DE79500105175407324010\n", "")
    assert [path for path, _ in problems(lumen)] == ["settings.creditor_id"]
