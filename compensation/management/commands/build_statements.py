from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from compensation.services import statements_build, statements_close, statements_recalculate
from org.models import User


class Command(BaseCommand):
    help = "Build (or close, or recalculate) every statement of one month or fiscal quarter."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period-start", required=True, type=date.fromisoformat)
        parser.add_argument("--period", choices=["month", "quarter"], default="month")
        parser.add_argument("--close", action="store_true", help="Lock them after building.")
        parser.add_argument(
            "--recalculate",
            action="store_true",
            help="Add adjustment lines to closed statements whose pay changed (needs --by, "
            "--reason).",
        )
        parser.add_argument("--by", help="Username of whoever closes or recalculates.")
        parser.add_argument("--reason", default="", help="Why a closed period is recalculated.")

    def handle(self, *args, period_start: date, period: str, close: bool, recalculate: bool,
               by: str | None, reason: str, **options) -> None:  # fmt: skip
        who = self._user(by)
        try:
            if recalculate:
                if who is None:
                    raise CommandError("--recalculate needs --by USERNAME.")
                summary = statements_recalculate(
                    period=period, start=period_start, by=who, reason=reason
                )
            elif close:
                summary = statements_close(period=period, start=period_start, by=who)
            else:
                summary = statements_build(period=period, start=period_start)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for name, value in summary.as_dict().items():
            self.stdout.write(f"{name:<8} {value}")

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        return user
