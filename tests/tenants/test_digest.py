"""The digest identifies a tenant version: it changes with any file, and only then."""
from tenants.loader import load_tenant


def test_digest_is_stable_when_nothing_changes(demo_copy):
    lumen = demo_copy("lumen")
    assert load_tenant(lumen.folder).digest == load_tenant(lumen.folder).digest


def test_digest_does_not_depend_on_where_the_folder_is(demo_copy, tmp_path):
    first = load_tenant(demo_copy("lumen").folder)
    moved = first.folder.rename(tmp_path / "elsewhere")
    (tmp_path / "x").mkdir()
    again = load_tenant(moved.rename(tmp_path / "x" / "lumen"))
    assert again.digest == first.digest


def test_digest_changes_with_the_yaml_the_markdown_and_the_logo(demo_copy):
    lumen = demo_copy("lumen")
    seen = {load_tenant(lumen.folder).digest}
    lumen.replace("name: Lumen Krankenversicherung\n", "name: Lumen Krankenversicherung \n")
    seen.add(load_tenant(lumen.folder).digest)
    markdown = lumen.folder / "content" / "einfuehrung.md"
    markdown.write_text(markdown.read_text(encoding="utf-8") + "\nNeu.\n", encoding="utf-8")
    seen.add(load_tenant(lumen.folder).digest)
    logo = lumen.folder / "logo.svg"
    logo.write_text(logo.read_text(encoding="utf-8").replace("#f1a208", "#f1a209"), encoding="utf-8")
    seen.add(load_tenant(lumen.folder).digest)
    (lumen.folder / "content" / "notizen.md").write_text("# Notiz\n", encoding="utf-8")
    seen.add(load_tenant(lumen.folder).digest)
    assert len(seen) == 5


def test_renaming_a_file_changes_the_digest(demo_copy):
    lumen = demo_copy("lumen")
    before = load_tenant(lumen.folder).digest
    (lumen.folder / "content" / "einfuehrung.md").rename(lumen.folder / "content" / "start.md")
    lumen.replace("file: content/einfuehrung.md", "file: content/start.md")
    after = load_tenant(lumen.folder)
    assert after.digest != before
    assert "content/start.md" in after.files


def test_hidden_files_are_not_part_of_the_tenant(demo_copy):
    lumen = demo_copy("lumen")
    before = load_tenant(lumen.folder).digest
    (lumen.folder / ".DS_Store").write_bytes(b"\0\1")
    (lumen.folder / "content" / ".tenant.yaml.swp").write_bytes(b"\0\2")
    assert load_tenant(lumen.folder).digest == before
