"""Product documents per tariff: the checker names the line of a document whose file is missing or is
not a PDF; a loaded tenant knows each document's fingerprint, so an offer can record what it offered."""
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
