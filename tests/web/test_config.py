"""The app refuses to start without a secret outside demo mode, with a message that says what to do."""
import pytest

from web import config


def test_missing_secret_key_outside_demo_mode_is_refused():
    settings = config.from_env({"BKV_INSTANCE": "/tmp/bkv-config-test"})
    with pytest.raises(config.ConfigError, match="SECRET_KEY is not set"):
        config.finish(settings)


def test_demo_mode_generates_and_keeps_a_secret(tmp_path):
    settings = config.from_env({"BKV_DEMO": "1", "BKV_INSTANCE": str(tmp_path)})
    first = config.finish(dict(settings))["SECRET_KEY"]
    second = config.finish(dict(settings))["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_session_cookies_are_httponly_and_samesite(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_command_line_says_what_is_missing_without_a_traceback():
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "BKV_DEMO")}
    result = subprocess.run([sys.executable, "-c", "from web.cli import main; main()", "routes"], env=env,
                            capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr and "Traceback" not in result.stderr


def test_the_base_url_is_required_outside_demo_mode():
    settings = config.from_env({"BKV_INSTANCE": "/tmp/bkv-config-test", "SECRET_KEY": "s"})
    with pytest.raises(config.ConfigError, match="BKV_BASE_URL is not set"):
        config.finish(settings)
    with pytest.raises(config.ConfigError, match="must look like"):
        config.finish(dict(settings, BASE_URL="bkv.example.org"))


def test_the_base_url_names_the_trusted_host(tmp_path):
    settings = config.finish(config.from_env({"SECRET_KEY": "s", "BKV_BASE_URL": "https://bkv.example.org/"}))
    assert settings["BASE_URL"] == "https://bkv.example.org" and settings["TRUSTED_HOSTS"] == ["bkv.example.org"]
    more = config.finish(config.from_env({"SECRET_KEY": "s", "BKV_BASE_URL": "https://bkv.example.org",
                                          "BKV_TRUSTED_HOSTS": "bkv.example.org, intern.example.org"}))
    assert more["TRUSTED_HOSTS"] == ["bkv.example.org", "intern.example.org"]
    demo = config.finish(config.from_env({"BKV_DEMO": "1", "BKV_INSTANCE": str(tmp_path)}))
    assert demo["BASE_URL"] == "http://127.0.0.1:5000" and demo["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]
