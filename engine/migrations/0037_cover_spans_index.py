"""A large employer's contract page (issue #19): the minimum count groups the written cover periods by
their days and tariff group (cover.spans); an index of (contract, family_member, valid_from, valid_to,
tariff_group) holds all it reads, so the 36,770 periods of a 50,000-person contract are counted in the
index, in its order, instead of read row by row and sorted."""
from playhouse.migrate import make_index_name

COLUMNS = ('contract_id', 'family_member_id', 'valid_from', 'valid_to', 'tariff_group')


def up(migrator, db):
    migrator.migrate(migrator.add_index('cover_period', COLUMNS, False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('cover_period', make_index_name('cover_period', COLUMNS)))  # the name
    # as add_index made it (shortened with a hash past 64 characters)
