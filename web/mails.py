"""Mail texts: Jinja templates in templates/mail/ (first line is the subject), queued in the outbox."""
from flask import render_template
from flask_babel import force_locale

from engine import mail


def queue(template, recipient, locale="de", attachments=(), **context):
    """Render `mail/<template>.txt` in the recipient's language and put it in the outbox (with the
    product documents in `attachments`, see engine/mail.queue)."""
    with force_locale(locale or "de"):
        text = render_template(f"mail/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    return mail.queue(recipient, subject.strip(), body.strip() + "\n", attachments)
