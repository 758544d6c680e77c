"""Deal win scores from the nightly model, and the sentiment of survey comments."""

from django.db import models

from core.money import Digits
from pipeline.models import Deal, SurveyResponse

PROBABILITY: Digits = {"max_digits": 5, "decimal_places": 4}


class ScoreRun(models.Model):
    """One training and scoring run, with how the model did on deals it had not seen.

    The hold-out: a model trained only on what was known `HOLDOUT_DAYS` before the cut-off
    scores the deals open then; `model_brier` and `baseline_brier` compare both with how those
    deals ended. The weighted pipeline uses the model only when its Brier score is lower.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    cutoff = models.DateTimeField(help_text="Trained on what the deal history knew then.")
    examples = models.PositiveIntegerField(default=0, help_text="Training rows (deal, day).")
    deals_scored = models.PositiveIntegerField(default=0)
    holdout_on = models.DateField(null=True, blank=True)
    holdout_deals = models.PositiveIntegerField(default=0)
    model_auc = models.DecimalField(null=True, blank=True, **PROBABILITY)
    model_brier = models.DecimalField(null=True, blank=True, **PROBABILITY)
    baseline_auc = models.DecimalField(null=True, blank=True, **PROBABILITY)
    baseline_brier = models.DecimalField(null=True, blank=True, **PROBABILITY)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Deal scores {self.cutoff.isoformat()} ({self.status})"

    @property
    def model_beats_baseline(self) -> bool:
        if self.model_brier is None or self.baseline_brier is None:
            return False
        return self.model_brier < self.baseline_brier


class DealScore(models.Model):
    """An open deal's win probability from the latest run and its strongest reasons."""

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="score")
    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="scores")
    probability = models.DecimalField(**PROBABILITY)
    baseline = models.DecimalField(help_text="The stage's learned win rate.", **PROBABILITY)
    # [{"text": "no activity for 21 days", "effect": "-"}, ...], strongest first
    reasons = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__gte=0, probability__lte=1),
                name="deal_score_probability",
                violation_error_message="A win probability is between 0 and 1.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.probability}"


class CommentSentiment(models.Model):
    """VADER's compound score of a survey comment: -1 (most negative) to +1 (most positive)."""

    response = models.OneToOneField(
        SurveyResponse, on_delete=models.CASCADE, related_name="sentiment"
    )
    compound = models.DecimalField(max_digits=4, decimal_places=3)
    comment = models.TextField(help_text="The text scored, to rescore a comment edited since.")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(compound__gte=-1, compound__lte=1),
                name="sentiment_compound_range",
                violation_error_message="A sentiment score is between -1 and 1.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.response_id}: {self.compound}"
