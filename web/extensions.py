"""Flask extensions, created here and bound to an app in `create_app`."""
from flask import session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

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
