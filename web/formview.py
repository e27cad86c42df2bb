"""The one bridge between the generic form runtime (forms/) and Flask: draw and read a form
in the visitor's language."""
from flask import request
from forms import render_fields, validate

from web.extensions import select_locale


def draw(form, values=None, errors=None):
    return render_fields(form, values, errors, select_locale())


def read(form, data=None):
    """Validate the posted form (or `data`); returns the forms.Result."""
    return validate(form, request.form if data is None else data, select_locale())


def init_app(app):
    app.jinja_env.globals["draw_form"] = draw
