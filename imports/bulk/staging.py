"""The SQL half of the set-based deal import: a staging table filled by COPY, then compared
with the deals, checked and written in a few statements.

`import_staging` holds each row's line, the fields it sets (bit n of `given`: the n-th staged
field) and their values. `import_merged` is each row as the deal would be: the values it sets,
else the deal's own, else (for a new deal) the model's defaults; and what it changes.
`import_final` is the rows to write, with the credit at close worked out as
`pipeline.crediting.credit_at_close` does.
"""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import connection
from django.db.models import CheckConstraint, Field, Q
from django.db.models.sql import Query
from django.utils import timezone
from psycopg import sql

from imports.constraints import fields_of
from imports.errors import MAX_ERRORS_KEPT
from org.models import ReportingLine, User
from pipeline.crediting import CLOSED, CREDIT_FIELDS, CREDIT_INPUTS
from pipeline.history import FIELD_NAMES, TRACKED
from pipeline.models import Account, AccountAssignment, Deal, DealChange, ImportRun, Stage
from pipeline.signals import deals_written

TABLES = ("import_staging", "import_merged", "import_final")
DEAL = Deal._meta.db_table
# Deal columns the import sets or keeps; the status follows the stage, the credit is worked out.
PLAIN = [f for f in Deal._meta.concrete_fields if not f.primary_key and f.name not in CREDIT_FIELDS]
PLAIN = [f for f in PLAIN if f.name != "status"]


def _column(field: object) -> str:
    """A concrete field's column (the stubs allow None, which no concrete field has)."""
    assert isinstance(field, Field)
    return str(field.column)


CREDIT = [_column(Deal._meta.get_field(name)) for name in CREDIT_FIELDS]
HISTORY = [_column(f) for f in DealChange._meta.concrete_fields if not f.primary_key]
SNAPSHOT = [*TRACKED, "status"]
WON_OR_LOST = "({})".format(", ".join(f"'{kind}'" for kind in CLOSED))


def _literal(value: object) -> str:
    """A model default as SQL (defaults come from the code, not from the file)."""
    return sql.Literal(value).as_string(connection.connection)


class Staging:
    def __init__(self, fields: list[Field], *, run: ImportRun) -> None:
        self.fields, self.run = fields, run
        self.bits = {_column(field): 1 << n for n, field in enumerate(fields)}
        columns = ", ".join(f"{_column(f)} {f.db_type(connection)}" for f in fields)
        self.execute(f"DROP TABLE IF EXISTS {', '.join(TABLES)}")
        self.execute(f"CREATE TEMP TABLE import_staging (line integer, given integer, {columns})")

    def execute(self, statement: str, params: dict | None = None) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def copy(self, rows: Iterable[list]) -> None:
        columns = ", ".join(["line", "given", *(_column(f) for f in self.fields)])
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY import_staging ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def drop(self) -> None:
        self.execute(f"DROP TABLE IF EXISTS {', '.join(TABLES)}")

    # Checks

    def duplicates(self) -> tuple[dict[int, list], int]:
        """Rows whose key an earlier row has: {line: [that line]} (the first ones), how many;
        they are left out of what follows."""
        later = (
            "SELECT line, first FROM (SELECT line, min(line) OVER (PARTITION BY external_id) "
            "AS first FROM import_staging) keyed WHERE line > first"
        )
        found = self.execute(f"{later} ORDER BY line LIMIT {MAX_ERRORS_KEPT}")
        if not found:
            return {}, 0
        total = self.execute(f"SELECT count(*) FROM ({later}) later")[0][0]
        self.execute(f"DELETE FROM import_staging WHERE line IN (SELECT line FROM ({later}) x)")
        return {line: [first] for line, first in found}, total

    def compare(self) -> tuple[dict[int, list], int]:
        """Each row merged with its deal; the rows that would break a check constraint:
        {line: [(fields, message)]} (the first ones), how many; they are left out."""
        self.execute("ANALYZE import_staging")
        self.execute(self.merged_sql())
        broken: dict[int, list] = {}
        conditions = []
        for constraint in Deal._meta.constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            assert isinstance(constraint.condition, Q)  # the project's checks are Q objects
            condition = f"(({_condition_sql(constraint.condition)}) IS FALSE)"
            conditions.append(condition)
            message = str(constraint.violation_error_message)
            for (line,) in self.execute(
                f"SELECT line FROM import_merged WHERE {condition} ORDER BY line "
                f"LIMIT {MAX_ERRORS_KEPT}"
            ):
                broken.setdefault(line, []).append((fields_of(constraint.condition), message))
        if not broken:
            return {}, 0
        any_broken = " OR ".join(conditions)
        total = self.execute(f"SELECT count(*) FROM import_merged WHERE {any_broken}")[0][0]
        self.execute(f"DELETE FROM import_merged WHERE {any_broken}")
        return broken, total

    def counts(self) -> dict[str, int]:
        created, updated, unchanged = self.execute(
            "SELECT count(*) FILTER (WHERE deal_id IS NULL), count(*) FILTER (WHERE changed), "
            "count(*) FILTER (WHERE deal_id IS NOT NULL AND NOT changed) FROM import_merged"
        )[0]
        return {"created": created, "updated": updated, "unchanged": unchanged}

    # Building the merged rows

    def given(self, column: str) -> str:
        bit = self.bits.get(column)
        return f"(s.given & {bit} <> 0)" if bit else "false"

    def value(self, field: Field) -> str:
        """The column as the deal would have it: set by the row, kept, or the default."""
        kept = (
            f"CASE WHEN d.id IS NULL THEN {_literal(field.get_default())} ELSE d.{field.column} END"
        )
        if field.column not in self.bits:
            return kept
        return f"CASE WHEN {self.given(field.column)} THEN s.{field.column} ELSE {kept} END"

    def changes(self, column: str) -> str:
        if column not in self.bits:
            return "false"
        return f"({self.given(column)} AND s.{column} IS DISTINCT FROM d.{column})"

    def merged_sql(self) -> str:
        """The row as the deal would be. A new deal takes its stage's forecast category; an
        existing one when it moves stage, or when the category it is given is blank or the
        deal is closed (`Deal.sync_from_stage`)."""
        values = {_column(f): self.value(f) for f in PLAIN}
        moved = self.changes("stage_id")
        category = values["forecast_category"]
        synced = (
            f"CASE WHEN {moved} OR {category} = '' OR st.kind <> 'open' "
            f"THEN st.forecast_category ELSE {category} END"
        )
        values["forecast_category"] = (
            f"CASE WHEN d.id IS NULL THEN st.forecast_category WHEN {moved} OR "
            f"{self.changes('forecast_category')} THEN {synced} ELSE d.forecast_category END"
        )
        inputs = {_column(Deal._meta.get_field(name)) for name in CREDIT_INPUTS}
        changed = " OR ".join(self.changes(column) for column in self.bits)
        credit = " OR ".join(self.changes(column) for column in sorted(inputs))
        olds = [*SNAPSHOT, *CREDIT]
        return f"""
            CREATE TEMP TABLE import_merged AS
            SELECT s.line, d.id AS deal_id,
                d.id IS NOT NULL AND ({changed}) AS changed,
                d.id IS NULL OR {credit} AS credit_changed,
                {", ".join(f"{value} AS {column}" for column, value in values.items())},
                st.kind AS status,
                {", ".join(f"d.{column} AS old_{column}" for column in olds)}
            FROM import_staging s
            LEFT JOIN {DEAL} d ON d.external_id = s.external_id
            JOIN {Stage._meta.db_table} st ON st.id = ({values["stage_id"]})
        """

    # Writing

    def write(self) -> None:
        """The new and changed deals, their history, and the close days they touched."""
        self.execute(self.final_sql())
        if not self.execute("SELECT 1 FROM import_final LIMIT 1"):
            return  # a file of unchanged rows writes nothing
        columns = [_column(f) for f in PLAIN] + ["status", *CREDIT]
        listed = ", ".join(columns)
        self.execute(
            f"INSERT INTO {DEAL} ({listed}) SELECT {listed} FROM import_final WHERE deal_id IS NULL"
        )
        assignments = ", ".join(f"{column} = f.{column}" for column in columns)
        self.execute(
            f"UPDATE {DEAL} d SET {assignments} FROM import_final f WHERE d.id = f.deal_id"
        )
        params = {"now": timezone.now(), "tz": settings.TIME_ZONE, "user": self.run.user_id}
        self.execute(_history_of_new_deals(), params)
        self.execute(_history_of_changed_deals(), params)
        days = self.execute(
            "SELECT DISTINCT day FROM (SELECT closed_on AS day FROM import_final UNION ALL "
            "SELECT old_closed_on FROM import_final) days WHERE day IS NOT NULL"
        )
        created = self.execute("SELECT DISTINCT created_on FROM import_final")
        _days_written({day for (day,) in days}, {day for (day,) in created})

    def final_sql(self) -> str:
        """The rows to write, with their credit at close: a closed deal's territory is its own,
        else its account's on the close day (its assignments, else its current one); its
        closer is whoever already had the credit, else its owner, and the closer's manager and
        team are those of the reporting line in force that day (else the closer's now)."""
        kept = "m.deal_id IS NOT NULL AND NOT m.credit_changed"
        closed = f"m.status IN {WON_OR_LOST}"
        fresh = "m.old_closed_owner_id IS NULL"
        territory = (
            "COALESCE(m.territory_id, CASE WHEN m.account_id IS NOT NULL THEN "
            "CASE WHEN aa.found THEN aa.territory_id ELSE a.territory_id END END)"
        )
        credit = {
            "closed_territory_id": territory,
            "closed_owner_id": "COALESCE(m.old_closed_owner_id, m.owner_id)",
            "closed_manager_id": f"CASE WHEN NOT {fresh} THEN m.old_closed_manager_id "
            "WHEN rl.found THEN rl.manager_id ELSE u.manager_id END",
            "closed_team_id": f"CASE WHEN NOT {fresh} THEN m.old_closed_team_id "
            "WHEN rl.found THEN rl.team_id ELSE u.team_id END",
        }
        worked_out = ", ".join(
            f"CASE WHEN {kept} THEN m.old_{column} WHEN NOT {closed} THEN NULL "
            f"ELSE {value} END AS {column}"
            for column, value in credit.items()
        )
        return f"""
            CREATE TEMP TABLE import_final AS
            SELECT m.*, {worked_out}
            FROM import_merged m
            LEFT JOIN {Account._meta.db_table} a ON a.id = m.account_id
            LEFT JOIN {User._meta.db_table} u ON u.id = m.owner_id
            LEFT JOIN LATERAL (
                SELECT x.territory_id, true AS found FROM {AccountAssignment._meta.db_table} x
                WHERE x.account_id = m.account_id AND x.start <= m.closed_on
                    AND (x."end" IS NULL OR m.closed_on < x."end")
                ORDER BY x.start, x.id LIMIT 1
            ) aa ON {closed}
            LEFT JOIN LATERAL (
                SELECT r.manager_id, r.team_id, true AS found FROM {ReportingLine._meta.db_table} r
                WHERE r.person_id = m.owner_id AND (r.start IS NULL OR r.start <= m.closed_on)
                    AND (r."end" IS NULL OR m.closed_on < r."end")
                ORDER BY r.start DESC NULLS LAST, r.id DESC LIMIT 1
            ) rl ON {closed}
            WHERE m.deal_id IS NULL OR m.changed
        """


def _condition_sql(condition: Q) -> str:
    """A check constraint's condition as SQL on unqualified column names."""
    query = Query(model=Deal, alias_cols=False)
    compiler = query.get_compiler(connection=connection)
    where, params = query.build_where(condition).as_sql(compiler, connection)
    return where % tuple(_literal(param) for param in params)


def _history_of_new_deals() -> str:
    """`pipeline.history._imported_past` for each new deal: open from its created day in a
    stage nobody recorded, then closed on its close day, or in its stage from now on (a deal
    created after now has its one row then)."""
    table, columns = DealChange._meta.db_table, ", ".join(HISTORY)
    created = "(d.created_on::timestamp AT TIME ZONE %(tz)s)"
    single = f"(d.status = 'open' AND {created} >= %(now)s)"
    when = (
        "CASE WHEN d.status <> 'open' THEN (d.closed_on::timestamp AT TIME ZONE %(tz)s) "
        f"WHEN {single} THEN {created} ELSE %(now)s END"
    )
    fields = (
        f"CASE WHEN {single} THEN 'created' ELSE concat_ws(',', 'stage', "
        "CASE WHEN d.forecast_category <> '' THEN 'forecast_category' END, "
        "CASE WHEN d.closed_on IS NOT NULL THEN 'closed_on' END) END"
    )
    same = "d.amount, d.currency, d.expected_close_on"
    return f"""
        INSERT INTO {table} ({columns})
        SELECT d.id, {created}, %(user)s::bigint, 'created', NULL::bigint, 'open', NULL::date,
            {same}, '',
            d.probability, d.owner_id
        FROM import_final f JOIN {DEAL} d ON d.external_id = f.external_id
        WHERE f.deal_id IS NULL AND NOT {single}
        UNION ALL
        SELECT d.id, {when}, %(user)s::bigint, {fields}, d.stage_id, d.status, d.closed_on, {same},
            d.forecast_category, d.probability, d.owner_id
        FROM import_final f JOIN {DEAL} d ON d.external_id = f.external_id
        WHERE f.deal_id IS NULL
    """


def _history_of_changed_deals() -> str:
    """One row for each changed deal whose tracked fields changed, naming them."""
    table, columns = DealChange._meta.db_table, ", ".join(HISTORY)
    differs = {name: f"f.old_{name} IS DISTINCT FROM d.{name}" for name in TRACKED}
    names = ", ".join(
        f"CASE WHEN {test} THEN '{FIELD_NAMES.get(name, name)}' END"
        for name, test in differs.items()
    )
    return f"""
        INSERT INTO {table} ({columns})
        SELECT d.id, %(now)s, %(user)s::bigint, concat_ws(',', {names}), d.stage_id, d.status,
            d.closed_on, d.amount, d.currency, d.expected_close_on, d.forecast_category,
            d.probability, d.owner_id
        FROM import_final f JOIN {DEAL} d ON d.id = f.deal_id
        WHERE {" OR ".join(differs.values())}
    """


def _days_written(days: set[date], created: set[date]) -> None:
    """The close and created days the import touched, told as every deal write tells them
    (the rollups refill them when the import commits)."""
    deals_written.send(sender=DealChange, days=days, created_days=created)
