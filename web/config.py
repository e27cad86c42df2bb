"""Configuration from the environment; one place lists every setting and its default."""
import os
import pathlib
import secrets

ROOT = pathlib.Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    pass


def _bool(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def from_env(env=None):
    """Settings read from environment variables (see README, section Configuration)."""
    env = os.environ if env is None else env
    instance = pathlib.Path(env.get("BKV_INSTANCE", ROOT / "instance"))
    return {
        "BKV_DEMO": _bool(env.get("BKV_DEMO", "0")),
        "SECRET_KEY": env.get("SECRET_KEY"),
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


def finish(config):
    """Check the settings and fill the secret in demo mode; refuse to start without one otherwise."""
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
    return config
