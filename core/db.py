"""Database expressions shared by the apps."""

from django.db.models import BigIntegerField, Func


class EpochSeconds(Func):
    """A datetime column as whole seconds since the Unix epoch, rounded down (or up with `up`).

    The slot engine compares integers; reading them straight from the database spares building a
    datetime per row and converting it back. Rounding a start down and an end up never makes busy
    time shorter.
    """

    output_field = BigIntegerField()

    def __init__(self, expression, *, up: bool = False):
        self.up = up
        super().__init__(expression)

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"{'CEIL' if self.up else 'FLOOR'}(EXTRACT(EPOCH FROM {column}))::bigint", params

    def as_sqlite(self, compiler, connection, **extra):
        # Stored as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]". The fraction is cut off by hand
        # (strftime would round it to milliseconds, up into the next second); the format goes in
        # as a parameter, since a literal % in the SQL would need escaping twice.
        column, params = compiler.compile(self.source_expressions[0])
        sql, args = f"CAST(strftime(%s, substr({column}, 1, 19)) AS INTEGER)", ["%s", *params]
        if self.up:  # a fraction of a second left over: one second more
            sql += f" + ({column} > substr({column}, 1, 19))"
            args += [*params, *params]
        return sql, args


def epoch_span(starts_at: str, ends_at: str) -> tuple[EpochSeconds, EpochSeconds]:
    """The expressions for a stretch of time as the slot engine reads it (mentors.slots.Busy)."""
    return EpochSeconds(starts_at), EpochSeconds(ends_at, up=True)
