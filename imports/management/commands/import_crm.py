from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.kinds import KINDS
from imports.mapping import MappingError, presets
from imports.services import import_run_execute, import_run_start
from org.models import User

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Import a CSV file (reps, territories, accounts, products, deals, activities, "
        "subscriptions or survey responses). All or nothing; running it again changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--mapping", default="", help="A YAML or JSON mapping file.")
        parser.add_argument(
            "--preset",
            choices=list(presets()),
            help="A CRM export as it comes: " + ", ".join(presets().values()) + ".",
        )
        parser.add_argument(
            "--kind", choices=list(KINDS), help="Without a mapping: match headers by name."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count; change nothing."
        )
        parser.add_argument("--user", help="Username logged as the importer.")

    def handle(self, *args, path: Path, mapping: str, kind, dry_run: bool, user, **options):
        if options["preset"]:
            if mapping:
                raise CommandError("Give a preset or a mapping, not both.")
            mapping = f"{options['preset']}.yaml"
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        importer = User.objects.filter(username=user).first() if user else None
        if user and importer is None:
            raise CommandError(f"No user {user!r}.")
        try:
            run = import_run_start(
                path=path, mapping=mapping, kind=kind or "", dry_run=dry_run, user=importer
            )
        except MappingError as error:
            raise CommandError(str(error)) from error
        report = import_run_execute(run=run, progress=self.progress)
        self.stderr.write("")
        mode = "Dry run" if dry_run else "Import"
        self.stdout.write(
            f"{mode} #{run.pk} of {run.file_name} ({run.kind}): {report.rows:,} rows, "
            f"{report.created:,} created, {report.updated:,} updated, "
            f"{report.unchanged:,} unchanged."
        )
        self.created_from_names(report, dry_run)
        for warning in report.warnings:
            self.stdout.write(f"Warning: {warning}")
        if not report.ok:
            for row_error in report.errors[:SHOWN_ERRORS]:
                self.stderr.write(str(row_error))
            more = report.error_count - min(SHOWN_ERRORS, len(report.errors))
            if more > 0:
                self.stderr.write(f"... and {more:,} more.")
            raise CommandError(f"{report.error_count:,} errors: nothing was changed.")
        if dry_run:
            self.stdout.write("Nothing was changed (dry run).")

    def created_from_names(self, report, dry_run: bool) -> None:
        also = "Would also create" if dry_run else "Also created"
        for model, count in report.notes.items():
            names = report.named.get(model, [])
            etc = " ..." if count > len(names) else ""
            self.stdout.write(
                f"{also} {count:,} {model} named in the file: {', '.join(names)}{etc}."
            )

    def progress(self, report) -> None:
        self.stderr.write(f"\r{report.rows:,} rows read, {report.error_count:,} errors", ending="")
        self.stderr.flush()
