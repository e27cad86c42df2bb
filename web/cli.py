"""The `bkv` command: Flask's CLI (run, routes, shell) plus database, tenant, demo and worker commands."""
import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup, ScriptInfo, with_appcontext

from web import create_app

db_cli = AppGroup("db", help="Database schema migrations.")
tenants_cli = AppGroup("tenants", help="Insurer configurations (tenants).")
demo_cli = AppGroup("demo", help="Demo data.")
employees_cli = AppGroup("employees", help="Employees of group contracts.")
documents_cli = AppGroup("documents", help="The document store.")
cover_cli = AppGroup("cover", help="The cover ledger (dated periods per insured person).")
statements_cli = AppGroup("statements", help="Monthly premium statements (Beitragsrechnung) per group contract.")


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
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def tenants_check(paths, as_json, strict):
    """Load, validate and compile tenant folders and run their tests.yaml; exit 1 on an error (with
    --strict: on any problem)."""
    from engine import tenant_cases
    from tenants import check
    sys.exit(check.main(list(paths) or ["tenants"], as_json, strict=strict, cases=tenant_cases.run))


@tenants_cli.command("schema", with_appcontext=False)
@click.option("--tests", is_flag=True, help="The schema of a tenant's tests.yaml instead.")
def tenants_schema(tests):
    """Print the JSON Schema of a tenant document (for editors)."""
    from tenants import cases, loader
    click.echo(json.dumps(cases.tests_schema() if tests else loader.schema(), indent=2, ensure_ascii=False))


@tenants_cli.command("simulate", with_appcontext=False)
@click.argument("tenant")
@click.argument("employees_file", type=click.Path(exists=True, dir_okay=False), required=False)
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), help="Start date (default: first of next month).")
@click.option("--tariff", "tariffs", multiple=True, help="Price only this tariff (repeatable; default: all).")
@click.option("--level", "levels", multiple=True, metavar="[GROUP=]TARIFF",
              help="The budget level to price: TARIFF for every group offering it, GROUP=TARIFF for one group "
                   "(repeatable; default: each group's first budget tariff).")
@click.option("--version", "digest", metavar="DIGEST",
              help="Try this stored version of the tenant TENANT (its id) instead of a folder: its own test cases "
                   "are run first (the file is then optional); see `bkv tenants versions`.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def tenants_simulate(tenant, employees_file, start, tariffs, levels, digest, as_json):
    """Assign groups and price an employee file with a tenant folder (or id), one budget level per group,
    without a database; with --version a stored version (a draft before `bkv tenants activate`), with its
    tests.yaml run."""
    from engine import simulate
    start = start.date() if start else None
    if digest is None:
        if employees_file is None:
            raise click.UsageError("Missing argument 'EMPLOYEES_FILE' (needed unless --version is given).")
        sys.exit(simulate.main(tenant, employees_file, start, as_json, tariffs=tariffs, levels=levels))
    from engine import registry, releases
    from engine.errors import NotFound
    with click.get_current_context().ensure_object(ScriptInfo).load_app().app_context():  # the database
        try:
            version = releases.find(tenant, digest)
        except NotFound as exc:
            raise click.ClickException(exc.text["en"] + " (see `bkv tenants versions " + tenant + "`)")
        code = simulate.main(tenant, employees_file, start, as_json, tariffs=tariffs, levels=levels,
                             live=registry.version(version.id), tests=releases.tests(tenant, version.digest))
    sys.exit(code)


@tenants_cli.command("diff", with_appcontext=False)
@click.argument("old")
@click.argument("new", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def tenants_diff(old, new, as_json):
    """Every premium (by tariff, group, family count and age) and every rule and text that differs
    between two tenant folders (or ids); with one folder: between the live version and that folder."""
    from engine import registry, simulate
    from tenants import diff
    from tenants.check import format_problems
    from tenants.problems import TenantError
    if new is not None:
        sys.exit(diff.main(simulate.tenant_folder(old), simulate.tenant_folder(new), as_json))
    try:
        changed = diff.of_folder(simulate.tenant_folder(old))
    except TenantError as error:
        click.echo(format_problems(error.problems))
        sys.exit(1)
    with click.get_current_context().ensure_object(ScriptInfo).load_app().app_context():  # the database
        live = registry.get(changed.doc["id"])
    version = diff.Version(f"live version {live.digest[:12]} of {live.slug}", live.doc, live.compiled.formulas,
                           live.compiled.premium_changes, live.compiled.eligibility, live.compiled.family_formulas)
    sys.exit(diff.main(version, changed, as_json))


@tenants_cli.command("load")
@click.argument("root", required=False)
def tenants_load(root):
    """Check the tenant folders and store each new version in the database as a draft (a new insurer's
    first version goes live at once); activate a draft with `bkv tenants activate`."""
    from engine import registry
    report = registry.sync(root or current_app.config["TENANTS_DIR"])
    failed = False
    for slug, status, problems in report:
        click.echo(f"{slug}: {STATUS_SHOWN.get(status, status)}")
        for p in problems:
            click.echo(f"  {p['file']}:{p['line']}: {p['level']}: {p['path']}: {p['message']}")
        failed = failed or status == "invalid"
    sys.exit(1 if failed else 0)


STATUS_SHOWN = {"new": "new draft (see `bkv tenants versions`; goes live with `bkv tenants activate`)",
                "live": "new, live from today (the insurer's first version)"}


@tenants_cli.command("versions")
@click.argument("slug")
def tenants_versions(slug):
    """List a tenant's stored versions, newest first: live, scheduled (with the day), draft or earlier."""
    from engine import releases
    for version in releases.versions(slug):
        since = f" from {version['valid_from']:%Y-%m-%d}" if version["valid_from"] else ""
        click.echo(f"{version['digest'][:12]}  {version['created_at']:%Y-%m-%d %H:%M}  {version['state']}{since}")


@tenants_cli.command("activate")
@click.argument("slug")
@click.argument("digest")
@click.option("--from", "valid_from", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The first day new offers and applications use the version (default: today).")
def tenants_activate(slug, digest, valid_from):
    """Put a stored version of a tenant (its digest, or the first 12 characters as `versions` shows them)
    in force from a day; contracts keep the version they were made with."""
    from engine import clock, releases
    from engine.errors import DomainError
    day = valid_from.date() if valid_from else clock.today()
    try:
        made = releases.activate(None, slug, digest, day)
    except DomainError as exc:
        raise click.ClickException(exc.text["en"])
    click.echo(f"{slug}: version {made.version.digest[:12]} applies from {day:%Y-%m-%d}")


@demo_cli.command("seed")
def demo_seed():
    """Create the demo accounts (a broker, an employer user, back-office users, an admin); only in
    demo mode, since their passwords are published (README) and one of them is a platform admin."""
    from engine import demo
    if not current_app.config.get("BKV_DEMO"):
        raise click.ClickException("The demo accounts have published passwords (one is a platform admin); "
                                   "they are created only in demo mode: BKV_DEMO=1 bkv demo seed.")
    rows = demo.seed()
    click.echo("\nDemo accounts:")
    for email, password, what in rows:
        click.echo(f"  {email:32} {password:24} {what}")


@employees_cli.command("import")
@click.option("--tenant", "tenant_slug", required=True, help="The insurer (tenant id).")
@click.option("--employer", "employer_id", required=True, type=int, help="The employer's id.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file only; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def employees_import(tenant_slug, employer_id, file, dry_run, as_json):
    """Import an employee file (CSV/XLSX) into the employer's group contract at an insurer."""
    from engine import contracts, employee_file, employees
    import pathlib
    data = pathlib.Path(file).read_bytes()
    try:
        parsed = employee_file.parse(pathlib.Path(file).name, data)
    except employee_file.FileUnusable as exc:
        _print_import({"rows": 0, "valid": 0, "errors": [{"row": None, "column": None, "message": exc.message}],
                       "warnings": []}, as_json)
        sys.exit(1)
    result = {"rows": parsed.total, "valid": len(parsed.rows),
              "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in parsed.errors],
              "warnings": [warning["de"] for warning in parsed.warnings]}
    if not dry_run:
        contract = contracts.of_employer_at(tenant_slug, employer_id)
        if contract is None:
            raise click.ClickException(f"No group contract of employer {employer_id} at {tenant_slug}.")
        batch = employees.preview(None, contract, pathlib.Path(file).name, data)
        employees.start(None, batch)
        result["imported"] = employees.run_import(batch.id)
    _print_import(result, as_json)


def _print_import(result, as_json):
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{result['rows']} rows, {result['valid']} valid" +
               (f", {result['imported']} imported" if "imported" in result else ""))
    for error in result["errors"]:
        click.echo(f"  row {error['row']}, {error['column']}: {error['message']}")
    for warning in result["warnings"]:
        click.echo(f"  warning: {warning}")


@documents_cli.command("sweep")
@click.option("--dry-run", is_flag=True, help="List the files only; remove nothing.")
def documents_sweep(dry_run):
    """Remove stored files that no document row refers to (older than an hour; the worker does this nightly)."""
    from engine import documents
    removed = documents.sweep(dry_run=dry_run)
    for path in removed:
        click.echo(f"{'would remove' if dry_run else 'removed'}: {path}")
    click.echo(f"{len(removed)} file(s) without a document row")


@cover_cli.command("apply-due")
def cover_apply_due():
    """Apply what became due today: first periods of people insured before the ledger, events whose date
    has come, age steps, the next parts of unpaid periods (the worker does this daily)."""
    from engine import cover, price_changes
    done = cover.apply_due()
    click.echo(f"{done['backfilled']} person(s) backfilled, {done['events']} event(s), {done['age_steps']} age "
               f"step(s) and {done['unpaid_steps']} unpaid-period step(s) applied")
    click.echo(f"{done.get('price_changes', 0)} premium change(s) applied, {price_changes.announce()} contract(s) "
               "told of a coming premium change")


@statements_cli.command("issue")
@click.option("--month", help="The month to bill, YYYY-MM (default: this month).")
@click.option("--tenant", help="Only this tenant's contracts.")
def statements_issue(month, tenant):
    """Issue the month's missing premium statements (each contract and month once; the worker does this
    from each tenant's statement day)."""
    import datetime
    from engine import clock, statements
    from engine.errors import DomainError
    try:
        first = datetime.date.fromisoformat(f"{month}-01") if month else clock.today().replace(day=1)
    except ValueError:
        raise click.BadParameter("use YYYY-MM, e.g. 2027-03", param_hint="--month")
    try:
        done = statements.issue_month(first, tenant_slug=tenant)
    except DomainError as exc:
        raise click.ClickException(exc.text["en"])
    click.echo(f"{done['issued']} statement(s) issued, {done['existing']} already issued")


collections_cli = AppGroup("collections", help="SEPA direct-debit files (pain.008) of the issued statements.")


@collections_cli.command("run")
@click.option("--tenant", required=True, help="The insurer (tenant id).")
@click.option("--date", "day", help="The collection date, YYYY-MM-DD (default: today).")
def collections_run(tenant, day):
    """Make the tenant's direct-debit file for a collection date from the issued statements not yet
    collected (once per date; the worker does this on each tenant's collection day)."""
    import datetime
    from engine import clock, direct_debits
    from engine.errors import DomainError
    try:
        collection_date = datetime.date.fromisoformat(day) if day else clock.today()
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD, e.g. 2027-03-01", param_hint="--date")
    try:
        made, created = direct_debits.run(tenant, collection_date)
    except DomainError as exc:
        raise click.ClickException(exc.text["en"])
    if made is None:
        click.echo("nothing to collect")
    else:
        click.echo(f"run {made.id} {'made' if created else 'existed'}: {made.transactions} debit(s), "
                   f"{made.total} EUR, file {made.document_id or '-'}")


@click.command("anonymise")
@click.option("--years", default=10, show_default=True, help="Retention period after the end of cover.")
@click.option("--dry-run", is_flag=True)
@with_appcontext
def anonymise(years, dry_run):
    """Anonymise employees whose cover ended longer ago than the retention period."""
    from engine import gdpr
    due = gdpr.due_for_anonymisation(years=years)
    for employee in due:
        click.echo(f"{'would anonymise' if dry_run else 'anonymised'}: employee {employee.id}")
        if not dry_run:
            gdpr.anonymise(None, employee)
    click.echo(f"{len(due)} employee(s)")


@click.command("workflows")
def workflows():
    """Draw every state machine (engine/workflows/*.yaml) as Mermaid diagrams (for docs/architecture.md)."""
    from engine import workflow
    click.echo(workflow.drawing(), nl=False)


@click.command("worker")
@with_appcontext
@click.option("--workers", default=2, show_default=True)
def worker(workers):
    """Run the background job worker (mail delivery and retries)."""
    from engine.jobs import run_worker
    run_worker(current_app.extensions["bkv_jobs"], workers=workers)


cli = FlaskGroup(create_app=create_app, help="The bKV platform.")
for command in (db_cli, tenants_cli, demo_cli, employees_cli, documents_cli, cover_cli, statements_cli, collections_cli, anonymise, workflows, worker):
    cli.add_command(command)


def main():
    from web.config import ConfigError
    try:
        cli(prog_name="bkv")
    except ConfigError as exc:  # a setting is missing: say which and how to fix it, no traceback
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
