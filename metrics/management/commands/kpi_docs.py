from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from metrics.definitions import docs_markdown


def docs_path() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "metrics.md"


class Command(BaseCommand):
    help = "Write docs/metrics.md from the KPI registry (metrics/definitions.py)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Fail if docs/metrics.md is out of date."
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        path, text = docs_path(), docs_markdown()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is out of date: run `manage.py kpi_docs`.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}")
