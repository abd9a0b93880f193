"""R7: the database forbids overlapping rotation terms of one committee.

PostgreSQL: an exclusion constraint over daterange(start, end, '[]') with btree_gist (a trusted
extension, so the database owner may create it). SQLite: triggers that abort the write.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE committees_rotationterm ADD CONSTRAINT rotation_term_no_overlap
       EXCLUDE USING gist (committee_id WITH =, daterange("start", "end", '[]') WITH &&)""",
]
PG_BACKWARD = ["ALTER TABLE committees_rotationterm DROP CONSTRAINT rotation_term_no_overlap"]

SQLITE_GUARD = """
CREATE TRIGGER rotation_term_no_overlap_{op} BEFORE {event} ON committees_rotationterm
FOR EACH ROW WHEN EXISTS (
    SELECT 1 FROM committees_rotationterm t
    WHERE t.committee_id = NEW.committee_id AND t.id IS NOT NEW.id
      AND t.start <= NEW."end" AND NEW.start <= t."end"
)
BEGIN SELECT RAISE(ABORT, 'rotation_term_no_overlap'); END
"""
SQLITE_FORWARD = [SQLITE_GUARD.format(op="insert", event="INSERT"), SQLITE_GUARD.format(op="update", event="UPDATE")]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS rotation_term_no_overlap_insert",
    "DROP TRIGGER IF EXISTS rotation_term_no_overlap_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("committees", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
