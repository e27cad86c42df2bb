"""Flask extensions, created here and bound to an app in `create_app`."""
from flask import session
from flask_babel import Babel, get_translations
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from jinja2 import pass_context

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def select_locale():
    from flask import current_app, g, has_request_context
    if not has_request_context():  # jobs and CLI: mails pass their recipient's locale explicitly
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if "locale" not in g:  # asked for every translated text of a page: decide once per request
        chosen = session.get("lang")
        g.locale = chosen if chosen in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]
    return g.locale


def init_babel(app):
    """Flask-Babel, with templates reading the request's catalogue once per rendering instead of
    finding it through Flask-Babel for each of a page's few hundred texts (a context variable; a
    template without it, such as a macro imported without context, asks Flask-Babel)."""
    babel.init_app(app, locale_selector=select_locale)

    def catalogue(context):
        found = context.get("_catalogue")
        return get_translations() if found is None else found

    app.jinja_env.install_gettext_callables(
        gettext=pass_context(lambda context, s: catalogue(context).ugettext(s)),
        ngettext=pass_context(lambda context, s, p, n: catalogue(context).ungettext(s, p, n)),
        pgettext=pass_context(lambda context, c, s: catalogue(context).upgettext(c, s)),
        npgettext=pass_context(lambda context, c, s, p, n: catalogue(context).unpgettext(c, s, p, n)),
        newstyle=True)
    app.context_processor(lambda: {"_catalogue": get_translations()})
