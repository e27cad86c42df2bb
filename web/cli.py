"""The `bkv` command: Flask's CLI (run, routes, shell) plus database, tenant, demo and worker commands."""
import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from web import create_app

db_cli = AppGroup("db", help="Database schema migrations.")
tenants_cli = AppGroup("tenants", help="Insurer configurations (tenants).")
demo_cli = AppGroup("demo", help="Demo data.")


@db_cli.command("upgrade")
def db_upgrade():
    """Apply the missing migrations (SQLite or PostgreSQL, from DATABASE_URL)."""
    from engine import migrate
    applied = migrate.upgrade()
    click.echo(f"applied: {', '.join(applied)}" if applied else "database is up to date")


@db_cli.command("status")
def db_status():
    from engine import migrate
    for name, applied in migrate.status():
        click.echo(f"{name}\t{applied or 'pending'}")


@db_cli.command("revision")
@click.argument("name")
def db_revision(name):
    """Write a new migration with what the models add over the migrated database."""
    from engine import migrate
    click.echo(migrate.revision(name))


@tenants_cli.command("check", with_appcontext=False)
@click.argument("paths", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the problems as a JSON list.")
def tenants_check(paths, as_json):
    """Load, validate and compile tenant folders; exit 1 on any problem."""
    from tenants import check
    sys.exit(check.main(list(paths) or ["tenants"], as_json))


@tenants_cli.command("schema", with_appcontext=False)
def tenants_schema():
    """Print the JSON Schema of a tenant document."""
    from tenants import loader
    click.echo(json.dumps(loader.schema(), indent=2, ensure_ascii=False))


@tenants_cli.command("load")
@click.argument("root", required=False)
def tenants_load(root):
    """Check the tenant folders and store each new version in the database."""
    from engine import registry
    report = registry.sync(root or current_app.config["TENANTS_DIR"])
    failed = False
    for slug, status, problems in report:
        click.echo(f"{slug}: {status}")
        for p in problems:
            click.echo(f"  {p['file']}:{p['line']}: {p['path']}: {p['message']}")
        failed = failed or status == "invalid"
    sys.exit(1 if failed else 0)


@demo_cli.command("seed")
def demo_seed():
    """Create the demo accounts (a broker, an employer user, back-office users, an admin)."""
    from engine import demo
    rows = demo.seed()
    click.echo("\nDemo accounts:")
    for email, password, what in rows:
        click.echo(f"  {email:32} {password:24} {what}")


@click.command("worker")
@with_appcontext
@click.option("--workers", default=2, show_default=True)
def worker(workers):
    """Run the background job worker (mail delivery and retries)."""
    from engine.jobs import run_worker
    run_worker(current_app.extensions["bkv_jobs"], workers=workers)


cli = FlaskGroup(create_app=create_app, help="The bKV platform.")
for command in (db_cli, tenants_cli, demo_cli, worker):
    cli.add_command(command)


def main():
    cli(prog_name="bkv")
