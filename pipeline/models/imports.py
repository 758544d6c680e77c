"""The import log: each CSV import run and the keys it wrote."""

from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    VALID = "valid", "Valid (dry run)"
    INVALID = "invalid", "Invalid: nothing changed"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Failed: nothing changed"


class ImportRun(models.Model):
    """One CSV import, dry run or applied: who, when, which file, what it did or found wrong."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    source_path = models.CharField(max_length=500, help_text="Where the file is read from.")
    kind = models.CharField(max_length=32)
    mapping = models.CharField(
        max_length=500, blank=True, help_text="A mapping file; empty: headers matched by name."
    )
    dry_run = models.BooleanField(default=True)
    applies = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applied_by",
        help_text="The dry run this import applies: a dry run is applied by one import at most.",
    )
    status = models.CharField(max_length=8, choices=ImportStatus.choices, default="queued")
    rows = models.PositiveIntegerField(default=0, help_text="Data rows read so far.")
    total_rows = models.PositiveIntegerField(
        null=True, blank=True, help_text="Data rows in the file, counted when the run started."
    )
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first errors found.")
    notes = models.JSONField(default=dict, blank=True, help_text="Rows created from a name.")
    named = models.JSONField(
        default=dict, blank=True, help_text="The names of those rows, per model (the first 100)."
    )
    warnings = models.JSONField(default=list, blank=True, help_text="What to know; not errors.")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        mode = "dry run" if self.dry_run else "import"
        return f"{self.kind} {mode} of {self.file_name} ({self.get_status_display()})"


class ImportedKey(models.Model):
    """Keys an import has read so far, so a duplicate is found without holding them in memory."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    line = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="imported_key_once")]

    def __str__(self) -> str:
        return f"{self.key} (line {self.line} of import {self.run_id})"
