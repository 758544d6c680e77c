"""What the metrics need besides the sales data: spend, entered by sales operations."""

from django.core.exceptions import ValidationError
from django.db import models

from core.money import MONEY, default_currency, non_negative


class SalesSpend(models.Model):
    """Sales and marketing spend of one month, company-wide: the numerator of customer
    acquisition cost."""

    month = models.DateField(unique=True, help_text="The first day of the month.")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default=default_currency)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name_plural = "sales spend"
        constraints = [non_negative("amount", "Spend")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.amount} {self.currency}"

    def clean(self) -> None:
        super().clean()
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "Spend is entered per month: use its first day."})
