"""The floor for bench.web: a bare Flask page that runs one query on the same database, through the
same connection pool as the platform (so the comparison is about the page, not the connection)."""
import os

from flask import Flask

from engine.db import make_database


def create_app():
    app = Flask(__name__)
    database = make_database(os.environ["DATABASE_URL"])

    @app.route("/")
    def page():
        with database.connection_context():
            count = database.execute_sql("SELECT count(*) FROM employee").fetchone()[0]
        return f"<!doctype html><title>bare</title><p>{count} employees</p>"
    return app
