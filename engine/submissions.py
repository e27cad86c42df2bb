"""Double submission of an HTML form: the first submit of a form's one-time id runs, a repeat is
answered with where the first one led (or told that it is still running)."""
from peewee import IntegrityError

from engine.db import transaction
from engine.models import FormSubmission

RUNNING = object()


def claim(owner, submission_id):
    """None when this submit is the first; else the first one's location (or RUNNING)."""
    try:
        with transaction():
            FormSubmission.create(owner=owner, submission_id=submission_id)
        return None
    except IntegrityError:
        row = FormSubmission.get_or_none((FormSubmission.owner == owner)
                                         & (FormSubmission.submission_id == submission_id))
        return RUNNING if row is None or row.location is None else row.location


def finish(owner, submission_id, location):
    """Remember where the submit led; a submit that led nowhere (a form with errors) is forgotten,
    so the corrected form can be sent again."""
    query = FormSubmission.select().where((FormSubmission.owner == owner)
                                         & (FormSubmission.submission_id == submission_id))
    if location is None:
        FormSubmission.delete().where(FormSubmission.id.in_(query.select(FormSubmission.id))).execute()
    else:
        FormSubmission.update(location=location[:500]).where(FormSubmission.id.in_(query.select(FormSubmission.id))).execute()
