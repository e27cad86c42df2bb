"""Every POST form carries a one-time `submission_id`; a double click or a resent form is answered
once (engine/submissions.py). Forms without the field (the JSON API has its Idempotency-Key) pass."""
import uuid

from flask import g, redirect, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user

from engine import submissions
from web import pagecache


def _owner():
    if current_user.is_authenticated:
        return f"user:{current_user.user.id}"
    session.setdefault("anon", uuid.uuid4().hex)
    return f"anon:{session['anon']}"


def field():
    return f'<input type="hidden" name="submission_id" value="{pagecache.submission_id()}">'


def init_app(app):
    from markupsafe import Markup
    app.jinja_env.globals["submission_field"] = lambda: Markup(field())

    @app.before_request
    def _once():
        submission_id = request.form.get("submission_id") if request.method == "POST" else None
        if not submission_id or len(submission_id) > 64:
            return None
        first = submissions.claim(_owner(), submission_id)
        if first is None:
            g.submission = (_owner(), submission_id)
            return None
        if first is submissions.RUNNING:
            return render_template("errors/page.html", code=409, title=_("Already being processed"),
                                   message=_("This form was submitted twice; the first submission is still being processed.")), 409
        return redirect(first)

    @app.after_request
    def _remember(response):
        if g.get("submission"):
            owner, submission_id = g.pop("submission")
            submissions.finish(owner, submission_id, response.location if 300 <= response.status_code < 400 else None)
        return response
