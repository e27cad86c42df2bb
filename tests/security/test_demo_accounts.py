"""The demo accounts have published passwords (one is a platform admin): `bkv demo seed` creates
them only in demo mode."""
from engine import accounts
from web.cli import demo_cli


def test_demo_seed_refuses_outside_demo_mode(app):
    result = app.test_cli_runner().invoke(demo_cli, ["seed"])
    assert result.exit_code != 0 and "BKV_DEMO=1" in result.output
    with app.app_context():
        assert accounts.find_user("admin@demo.bkv") is None


def test_demo_seed_creates_the_accounts_in_demo_mode(app):
    app.config["BKV_DEMO"] = True
    try:
        result = app.test_cli_runner().invoke(demo_cli, ["seed"])
    finally:
        app.config["BKV_DEMO"] = False
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert accounts.find_user("admin@demo.bkv").is_admin
