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


def test_a_run_of_the_same_action_is_one_timeline_line(app):
    from types import SimpleNamespace as Entry
    from web.filters import collapsed
    added = [Entry(action="employee.created", actor_id=1, n=n) for n in range(200)]
    entries = [Entry(action="application.accepted", actor_id=2, n=-1), *added,
               Entry(action="employee.created", actor_id=3, n=200)]
    runs = collapsed(entries)
    assert [(e.n, count) for e, count in runs] == [(-1, 1), (199, 200), (200, 1)]
    assert len(collapsed(entries, collapse=False)) == 202


def test_dates_read_german_by_default_and_unambiguous_in_english(app):
    import datetime as dt
    from flask_babel import force_locale
    from web.filters import date, datetime
    with app.test_request_context():
        assert date(dt.date(2026, 11, 26)) == "26.11.2026"
        with force_locale("en"):
            assert date(dt.date(2026, 11, 26)) == "26 Nov 2026"
            assert datetime(dt.datetime(2026, 11, 26, 9, 5)).startswith("26 Nov 2026, ")
