"""Files and texts a tenant names: product documents per tariff (the checker names the line of one that is
missing or not a PDF; a loaded tenant knows each fingerprint), English content files, pattern messages."""
from tenants.check import check_paths
from tenants.loader import load_tenant


def only(problems):
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_a_missing_document_file_is_an_error_at_its_line(demo_copy):
    nordhafen = demo_copy("nordhafen").replace("file: documents/pib-komfort.pdf", "file: documents/pib-comfort.pdf")
    problem = only(check_paths([nordhafen.folder]))
    assert problem.level == "error" and problem.file == str(nordhafen.yaml)
    assert problem.line == nordhafen.line_of("documents/pib-comfort.pdf")
    assert problem.dotted_path == "tariffs[1].documents[1].file"
    assert problem.message == f"file 'documents/pib-comfort.pdf' not found in the tenant folder {nordhafen.folder}"


def test_a_file_that_is_not_a_pdf_is_an_error_at_its_line(demo_copy):
    nordhafen = demo_copy("nordhafen")
    (nordhafen.folder / "documents" / "pib-kompakt.pdf").write_bytes(b"PK\x03\x04 a Word file renamed")
    problem = only(check_paths([nordhafen.folder]))
    assert problem.line == nordhafen.line_of("documents/pib-kompakt.pdf")
    assert problem.dotted_path == "tariffs[0].documents[1].file"
    assert "is not a PDF" in problem.message


def test_a_document_needs_title_and_version_and_a_pdf_name(demo_copy):
    nordhafen = demo_copy("nordhafen").replace('      - {file: documents/pib-kompakt.pdf, version: "01/2026",\n',
                                               '      - {file: documents/pib-kompakt.docx,\n')
    problems = check_paths([nordhafen.folder])
    assert {p.dotted_path for p in problems} == {"tariffs[0].documents[1]", "tariffs[0].documents[1].file"}, \
        "\n".join(map(str, problems))
    assert all(p.line == nordhafen.line_of("pib-kompakt.docx") for p in problems)


def test_each_document_carries_its_fingerprint(demo_copy):
    tenant = load_tenant(demo_copy("nordhafen").folder)
    [avb, pib] = tenant.doc["tariffs"][0]["documents"]
    assert avb["title"]["de"] == "Allgemeine Versicherungsbedingungen (AVB)" and avb["version"] == "01/2026"
    assert len(pib["sha256"]) == 64 and pib["size"] == len(tenant.files["documents/pib-kompakt.pdf"])
    assert tenant.doc["tariffs"][1]["documents"][0]["sha256"] == avb["sha256"]  # one AVB for both tariffs


def test_a_missing_english_content_file_is_an_error_at_its_line(demo_copy):
    lumen = demo_copy("lumen").replace("file_en: content/nutzen-arbeitgeber.en.md", "file_en: content/nutzen.en.md")
    problem = only(check_paths([lumen.folder]))
    assert problem.line == lumen.line_of("file_en: content/nutzen.en.md")
    assert problem.dotted_path == "content_modules[0].file_en" and "not found" in problem.message


def test_a_pattern_message_is_checked_with_the_form_at_its_line(demo_copy):
    lumen = demo_copy("lumen").replace(
        "      de: Bitte geben Sie den Branchenschlüssel mit Punkten an, z. B. 62.01 oder 62.01.0.\n", "")
    problem = only(check_paths([lumen.folder]))
    assert problem.dotted_path == "application_form[0].pattern_message" and "'de'" in problem.message
    assert problem.line == lumen.line_of("pattern_message:")
