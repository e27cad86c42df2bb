"""Accounts: register, verify e-mail, log in and out, reset and change the password."""
from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from engine import accounts
from engine.unit import unit_of_work
from engine.errors import DomainError
from web import links, mails, tokens
from web.access import SessionUser, current_account, safe_next
from web.extensions import limiter
from web.filters import localized

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key():
    """Attempts on one account count together, from whatever addresses they come."""
    return "account:" + accounts.normalize_email(request.form.get("email"))


def _limited(view):
    """LOGIN_RATE_LIMIT per client address and per account (the e-mail in the form), for POSTs."""
    view = limiter.limit(_login_limit, methods=["POST"], key_func=_account_key)(view)
    return limiter.limit(_login_limit, methods=["POST"])(view)


def _email_error(email):
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _("Please enter a valid e-mail address.")
    return None


def _home_for(user):
    """Where a user lands after login: the portal of their first role."""
    if user.is_admin:
        return url_for("admin.index")
    for role in accounts.roles_of(user):
        if role.kind == "broker":
            return url_for("advisor.index")
        if role.kind == "insurer":
            return url_for("office.index", tenant_slug=role.tenant_id)
        if role.kind == "employer":
            return url_for("public.employer_home")
    return url_for("public.index")


def _send_verification(user):
    link = links.external("auth.verify", token=tokens.make("verify", user))
    mails.queue("verify", user.email, user.locale, user=user, link=link)


def _tell_owner(email):
    """Someone registered with an address that has an account: its owner hears of it, the visitor does not."""
    user = accounts.find_user(email)
    mails.queue("account_exists", user.email, user.locale, user=user, login=links.external("auth.login"),
                forgot=links.external("auth.forgot"))


@bp.route("/register", methods=["GET", "POST"])
@_limited
def register():
    """Brokers register here; employers register through the link in their offer or application mail."""
    values, errors = {}, {}
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in ("name", "email")}
        password = request.form.get("password", "")
        errors = {k: v for k, v in {"email": _email_error(values["email"]),
                                    "name": None if values["name"] else _("Please enter your name."),
                                    "password": None if password == request.form.get("password2", "")
                                    else _("The passwords do not match.")}.items() if v}
        if not errors:
            try:
                with unit_of_work():
                    user = accounts.register(values["email"], password, name=values["name"], role="broker")
                    user.locale = session.get("lang", "de")
                    user.save()
                    _send_verification(user)
            except accounts.EmailTaken:
                with unit_of_work():
                    _tell_owner(values["email"])
            except DomainError as exc:
                errors[exc.field or "email"] = localized(exc.text)
            if not errors:  # the same page whether or not the address was taken
                return render_template("auth/check_mail.html", email=accounts.normalize_email(values["email"]))
    return render_template("auth/register.html", values=values, errors=errors)


@bp.route("/verify/<token>")
def verify(token):
    user = tokens.read("verify", token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    if user is None:
        flash(_("This link is invalid or has expired. Log in to request a new one."), "error")
        return redirect(url_for("auth.login"))
    accounts.mark_verified(user)
    flash(_("Your e-mail address has been confirmed. You can now log in."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/verify/resend", methods=["POST"])
@_limited
def resend_verification():
    user = accounts.find_user(request.form.get("email", ""))
    if user is not None and user.email_verified_at is None:
        with unit_of_work():
            _send_verification(user)
    flash(_("If the address belongs to an unconfirmed account, we have sent a new link."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@_limited
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_home_for(current_account()))
    error, unverified = None, None
    email = request.form.get("email", "").strip()
    if request.method == "POST":
        user = accounts.authenticate(email, request.form.get("password", ""))
        if user is None:
            error = _("The e-mail address or password is incorrect.")
        elif user.email_verified_at is None:
            unverified = user.email
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session at login: no fixation
            if lang:
                session["lang"] = lang
            login_user(SessionUser(user))
            flash(_("Welcome, %(name)s.", name=user.name or user.email), "success")
            return redirect(safe_next(request.args.get("next"), _home_for(user)))
    return render_template("auth/login.html", email=email, error=error, unverified=unverified)


@bp.route("/logout", methods=["POST"])
def logout():
    user = current_account()
    if user is not None:
        accounts.log_out(user)  # a copy of this session's cookie no longer works
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot", methods=["GET", "POST"])
@_limited
def forgot():
    if request.method == "POST":
        user = accounts.find_user(request.form.get("email", ""))
        if user is not None:
            link = links.external("auth.reset", token=tokens.make("reset", user))
            with unit_of_work():
                mails.queue("reset", user.email, user.locale, user=user, link=link)
        # The same answer whether or not the address is known: no account probing.
        flash(_("If an account exists for this address, we have sent a link to reset your password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html")


def _password_form_errors():
    password = request.form.get("password", "")
    if password != request.form.get("password2", ""):
        return password, {"password": _("The passwords do not match.")}
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        return password, {"password": _("The password must be at least %(n)s characters long.",
                                        n=accounts.MIN_PASSWORD_LENGTH)}
    return password, {}


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token):
    user = tokens.read("reset", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    if user is None:
        flash(_("This link is invalid or has expired. Please request a new one."), "error")
        return redirect(url_for("auth.forgot"))
    errors = {}
    if request.method == "POST":
        password, errors = _password_form_errors()
        if not errors:
            accounts.change_password(user, password)
            accounts.mark_verified(user)  # the link arrived by mail, so the address works
            flash(_("Your password has been changed. Please log in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", errors=errors)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    errors = {}
    if request.method == "POST":
        user = current_account()
        if accounts.authenticate(user.email, request.form.get("current_password", "")) is None:
            errors = {"current_password": _("The current password is incorrect.")}
        else:
            password, errors = _password_form_errors()
        if not errors:
            accounts.change_password(user, password)
            login_user(SessionUser(user))  # this session stays, the others end
            flash(_("Your password has been changed. Your other sessions have been logged out."), "success")
            return redirect(_home_for(user))
    return render_template("auth/password.html", errors=errors)
