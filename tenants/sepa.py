"""The SEPA creditor identifier (Gläubiger-Identifikationsnummer) of a tenant: its format and check digits
(EPC262: country, 2 check digits, 3-character business code, national identifier; the check digits are
ISO 7064 MOD 97-10 over the national identifier and the country, the business code left out)."""
from __future__ import annotations

import re

FORMAT = re.compile(r"([A-Z]{2})([0-9]{2})([A-Z0-9]{3})([A-Z0-9]{1,28})")
NATIONAL_LENGTH = {"DE": 11, "AT": 11}  # countries whose national part has a fixed length, digits only


def _digits(text: str) -> str:
    return "".join(str(int(char, 36)) for char in text)


def check_digits(country: str, national: str) -> str:
    return f"{98 - int(_digits(national + country + '00')) % 97:02d}"


def creditor_id_problem(text: str) -> str | None:
    """None for a valid creditor identifier, else what is wrong (in the checker's words)."""
    match = FORMAT.fullmatch(text or "")
    if match is None:
        return (f"found '{text}', expected a SEPA creditor identifier: country code, 2 check digits, "
                "a 3-character business code and the national part, e.g. DE98ZZZ09999999999")
    country, digits, _, national = match.groups()
    length = NATIONAL_LENGTH.get(country)
    if length and (len(national) != length or not national.isdigit()):
        return f"found '{text}', expected {length} digits after the business code for {country}"
    if digits != check_digits(country, national):
        return f"found '{text}', whose check digits should be {check_digits(country, national)}"
    return None


def iban_problem(text: str) -> str | None:
    """None for a valid IBAN (compact), else what is wrong."""
    from schwifty import IBAN
    try:
        IBAN(text or "")
    except ValueError as exc:
        return f"found '{text}', which is not a valid IBAN ({exc})"
    return None
