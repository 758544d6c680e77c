import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    """Rows written before status and closed date were tracked: the stage's kind, and the
    deal's closed date on the rows that show it closed."""
    DealChange = apps.get_model("pipeline", "DealChange")
    Deal = apps.get_model("pipeline", "Deal")
    Stage = apps.get_model("pipeline", "Stage")
    for kind in ("open", "won", "lost"):
        stages = Stage.objects.filter(kind=kind).values("id")
        DealChange.objects.filter(stage_id__in=stages).update(status=kind)
    closed_on = Deal.objects.filter(pk=OuterRef("deal_id")).values("closed_on")[:1]
    DealChange.objects.filter(status__in=["won", "lost"]).update(closed_on=Subquery(closed_on))


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="dealchange",
            name="status",
            field=models.CharField(
                choices=[("open", "Open"), ("won", "Won"), ("lost", "Lost")],
                default="open",
                max_length=8,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="dealchange",
            name="closed_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="dealchange",
            name="stage",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty: open in a stage the source did not record.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="pipeline.stage",
            ),
        ),
        migrations.AlterField(
            model_name="dealchange",
            name="forecast_category",
            field=models.CharField(
                blank=True,
                choices=[
                    ("pipeline", "Pipeline"),
                    ("best_case", "Best case"),
                    ("commit", "Commit"),
                    ("closed", "Closed"),
                    ("omitted", "Omitted"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
