"""The floor for bench.web: a bare Flask page that runs one query on the same database."""
import os

from flask import Flask
from playhouse.db_url import connect


def create_app():
    app = Flask(__name__)
    database = connect(os.environ["DATABASE_URL"])

    @app.route("/")
    def page():
        with database.connection_context():
            count = database.execute_sql("SELECT count(*) FROM employee").fetchone()[0]
        return f"<!doctype html><title>bare</title><p>{count} employees</p>"
    return app
