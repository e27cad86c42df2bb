"""Template hygiene that rendering alone would not catch."""
from jinja2 import nodes


def test_page_titles_hold_text_only(app):
    # A block left open swallows markup into <title>, where the browser shows it as literal text.
    env = app.jinja_env
    for name in env.list_templates(extensions=["html"]):
        source = env.loader.get_source(env, name)[0]
        for block in env.parse(source).find_all(nodes.Block):
            if block.name == "title":
                markup = [n.data for n in block.find_all(nodes.TemplateData) if "<" in n.data]
                assert not markup, f"{name}: the title block holds markup {markup[0][:60]!r}"
