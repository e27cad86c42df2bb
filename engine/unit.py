"""The database as the layers above the engine see it: set it up once, a connection per request or
job, and a unit of work (`with unit_of_work():`) when one action calls several engine functions
that must succeed or fail together (their mails are sent only if it commits). No models here:
queries live in the engine's modules."""
from engine import db


def start(url):
    """Bind the platform's database (sqlite:///path or postgresql://...)."""
    return db.init_db(url)


def open_connection():
    db.database.connect(reuse_if_open=True)


def close_connection():
    """Give the connection back, unless a transaction is still open on it."""
    if not db.database.is_closed() and not db.database.in_transaction():
        db.database.close()


unit_of_work = db.transaction
