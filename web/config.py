"""Configuration from the environment; one place lists every setting and its default."""
import os
import pathlib
import secrets
from urllib.parse import urlsplit

ROOT = pathlib.Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    pass


def _bool(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _list(value):
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


def from_env(env=None):
    """Settings read from environment variables (see README, section Configuration)."""
    env = os.environ if env is None else env
    instance = pathlib.Path(env.get("BKV_INSTANCE", ROOT / "instance"))
    return {
        "BKV_DEMO": _bool(env.get("BKV_DEMO", "0")),
        "SECRET_KEY": env.get("SECRET_KEY"),
        "BASE_URL": env.get("BKV_BASE_URL"),  # every link in mails and PDFs starts here, never at the request's Host
        "TRUSTED_HOSTS": _list(env.get("BKV_TRUSTED_HOSTS")),  # Flask's; default: the host of BASE_URL
        "PROXY_COUNT": int(env.get("BKV_PROXY_COUNT", "0")),  # proxies in front whose X-Forwarded-For counts
        "SESSION_IDLE_MINUTES": int(env.get("BKV_SESSION_IDLE_MINUTES", "60")),
        "SESSION_MAX_HOURS": int(env.get("BKV_SESSION_MAX_HOURS", "12")),
        "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{instance / 'bkv.db'}"),
        "TENANTS_DIR": env.get("BKV_TENANTS_DIR", str(ROOT / "tenants")),
        "INSTANCE_DIR": str(instance),
        "DOCUMENTS_DIR": env.get("BKV_DOCUMENTS_DIR", str(instance / "documents")),
        "JOBS_BACKEND": env.get("BKV_JOBS", "redis" if env.get("REDIS_URL") else "sqlite"),
        "REDIS_URL": env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "JOBS_SQLITE_PATH": str(instance / "jobs.db"),
        "SMTP_HOST": env.get("SMTP_HOST", "127.0.0.1"),
        "SMTP_PORT": int(env.get("SMTP_PORT", "25")),
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool(env.get("SMTP_STARTTLS", "0")),
        "MAIL_SENDER": env.get("MAIL_SENDER", "bKV-Plattform <noreply@bkv.example>"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE", "0")),
        "LOGIN_RATE_LIMIT": env.get("BKV_LOGIN_RATE_LIMIT", "10 per minute"),
        "PAGE_CACHE": _bool(env.get("BKV_PAGE_CACHE", "1")),  # web/pagecache.py; 0 renders every page
        "OFFER_MAILS_PER_DAY": int(env.get("BKV_OFFER_MAILS_PER_DAY", "30")),  # per broker and calendar day
        "WEBHOOK_ALLOW_PRIVATE": _bool(env.get("BKV_WEBHOOK_ALLOW_PRIVATE", "0")),  # loopback/private webhook URLs
        # What an employee file may hold (engine/employee_file.py) and how much of its problems a report keeps
        "IMPORT_MAX_ROWS": int(env.get("BKV_IMPORT_MAX_ROWS", "50000")),
        "IMPORT_MAX_COLUMNS": int(env.get("BKV_IMPORT_MAX_COLUMNS", "200")),
        "IMPORT_MAX_CELLS": int(env.get("BKV_IMPORT_MAX_CELLS", "2000000")),
        "IMPORT_MAX_UNPACKED_MB": int(env.get("BKV_IMPORT_MAX_UNPACKED_MB", "100")),
        "IMPORT_REPORT_PROBLEMS": int(env.get("BKV_IMPORT_REPORT_PROBLEMS", "1000")),
        "STALLED_JOB_MINUTES": int(env.get("BKV_STALLED_JOB_MINUTES", "10")),  # a long job this silent is restarted
    }


DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "BABEL_DEFAULT_LOCALE": "de",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
    "LANGUAGES": ("de", "en"),
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
    "VERIFY_TOKEN_MAX_AGE": 3 * 24 * 3600,
    "RESET_TOKEN_MAX_AGE": 2 * 3600,
}


DEMO_BASE_URL = "http://127.0.0.1:5000"


def finish(config):
    """Check the settings and fill the secret and base URL in demo mode; refuse to start without them otherwise."""
    if not config.get("SECRET_KEY"):
        if not config.get("BKV_DEMO") and not config.get("TESTING"):
            raise ConfigError("SECRET_KEY is not set. Set it in the environment (e.g. "
                              "`export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')`), "
                              "or run in demo mode with BKV_DEMO=1.")
        key_file = pathlib.Path(config["INSTANCE_DIR"]) / "secret_key"
        key_file.parent.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        config["SECRET_KEY"] = key_file.read_text().strip()
    _finish_base_url(config)
    return config


def _finish_base_url(config):
    """Links in mails and PDFs start at BASE_URL (never at the request's Host, which a client chooses);
    requests for any other host than TRUSTED_HOSTS get 400."""
    if not config.get("BASE_URL"):
        if not config.get("BKV_DEMO"):
            raise ConfigError("BKV_BASE_URL is not set. Set it to the address users open, e.g. "
                              "`export BKV_BASE_URL=https://bkv.example.org`: every link in mails and PDFs "
                              "starts there. In demo mode (BKV_DEMO=1) it is " + DEMO_BASE_URL + ".")
        config["BASE_URL"] = DEMO_BASE_URL
    base = urlsplit(config["BASE_URL"])
    if base.scheme not in ("http", "https") or not base.hostname or base.query or base.fragment:
        raise ConfigError(f"BKV_BASE_URL must look like https://bkv.example.org, not {config['BASE_URL']!r}.")
    config["BASE_URL"] = config["BASE_URL"].rstrip("/")
    if not config.get("TRUSTED_HOSTS"):
        config["TRUSTED_HOSTS"] = [base.hostname] + (["localhost"] if config.get("BKV_DEMO") else [])
