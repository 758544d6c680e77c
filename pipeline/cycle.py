"""How long a deal took: whole days from created to closed, the one sales-cycle rule."""

from django.db.models import F, Func, IntegerField


class DaysBetween(Func):
    """Whole days from `start` to `end` (two date columns), as an integer on both databases."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, end: str, start: str) -> None:
        super().__init__(F(end), F(start))

    def as_sql(
        self,
        compiler,
        connection,
        function=None,
        template=None,
        arg_joiner=None,
        **extra_context,
    ) -> tuple[str, tuple]:
        end, start = (compiler.compile(e) for e in self.get_source_expressions())
        return f"({end[0]} - {start[0]})", (*end[1], *start[1])

    def as_sqlite(self, compiler, connection, **extra_context) -> tuple[str, tuple]:
        end, start = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"CAST(julianday({end[0]}) - julianday({start[0]}) AS INTEGER)"
        return sql, (*end[1], *start[1])


# A closed deal's sales cycle in days.
CYCLE = DaysBetween("closed_on", "created_on")
