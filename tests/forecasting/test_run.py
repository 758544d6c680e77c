from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError

from core.periods import end_of_day
from forecasting import build, probabilities
from forecasting.models import ForecastCall, ForecastLine, ForecastRun, RunStatus
from forecasting.probabilities import win_probabilities_learn
from forecasting.services import forecast_compute, forecast_run
from pipeline.models import Deal

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 5, 15)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def deal(stage, owner, amount, created: date, expected: date | None = None) -> Deal:
    row = Deal(
        name=f"{owner} {amount}",
        stage=stage,
        owner=owner,
        amount=Decimal(amount),
        created_on=created,
        expected_close_on=expected,
    )
    row.save(changed_at=at(created))
    return row


def move(row: Deal, stage, day: date) -> None:
    row.stage = stage
    row.closed_on = day if stage.kind != "open" else None
    row.save(changed_at=at(day))


def line(run, kind, key, period_start=date(2026, 5, 1), period_kind="month") -> ForecastLine:
    return ForecastLine.objects.get(
        run=run, scope_kind=kind, scope_key=key, period_kind=period_kind, period_start=period_start
    )


@pytest.fixture
def learned_history(stages, rep, monkeypatch):
    """Five closed deals seen in Proposal: four young (3 won, 1 lost), one old and won."""
    monkeypatch.setattr(probabilities, "MIN_CLOSED", 4)
    young = date(2026, 1, 10)
    for outcome in ("Won", "Won", "Won", "Lost"):
        row = deal(stages["Proposal"], rep, "100", young)
        move(row, stages[outcome], date(2026, 2, 1))
    old = deal(stages["Prospecting"], rep, "100", date(2025, 9, 1))
    move(old, stages["Proposal"], date(2025, 12, 20))  # 110 days old: the 91-180 bucket
    move(old, stages["Won"], date(2026, 1, 5))


def test_win_probabilities_are_learned_per_stage_and_age(stages, learned_history):
    learned = win_probabilities_learn(moment=end_of_day(AS_OF))
    proposal, prospecting = stages["Proposal"].pk, stages["Prospecting"].pk
    assert learned.by_stage_age == {(proposal, 0): Decimal("0.7500")}
    assert learned.by_stage == {proposal: Decimal("0.8000")}  # 4 of 5
    assert learned.get(proposal, 0) == Decimal("0.7500")
    assert learned.get(proposal, 2) == Decimal("0.8000")  # one deal in that bucket: thin
    # One closed deal passed through Prospecting: too thin, the stage default holds.
    assert learned.get(prospecting, 0) == Decimal("0.10")
    assert learned.source(prospecting, 0) == "stage default"


def test_the_run_weights_open_deals_by_learned_probabilities(stages, rep, learned_history):
    deal(stages["Proposal"], rep, "1000", AS_OF - timedelta(days=10), date(2026, 5, 28))
    deal(stages["Proposal"], rep, "2000", AS_OF - timedelta(days=120), date(2026, 5, 20))
    deal(stages["Prospecting"], rep, "500", AS_OF - timedelta(days=5), date(2026, 5, 30))
    run = forecast_run(as_of=AS_OF)
    rita = line(run, "rep", str(rep.pk))
    # 1000 x 0.75 + 2000 x 0.80 + 500 x 0.10; nothing closed in May.
    assert rita.weighted_pipeline == Decimal("2400.00")
    assert (rita.best_case, rita.pipeline, rita.closed) == (Decimal(3000), Decimal(500), 0)


def test_category_roll_up_shows_rep_numbers_manager_call_and_model(
    stages, rep, other_rep, manager, other_manager
):
    other_manager.manager = manager  # Otto now reports to Mia
    other_manager.save()
    deal(stages["Negotiation"], rep, "1000", date(2026, 5, 2), date(2026, 5, 25))
    deal(stages["Negotiation"], other_rep, "2000", date(2026, 5, 2), date(2026, 5, 25))
    won = deal(stages["Proposal"], other_rep, "300", date(2026, 4, 1))
    move(won, stages["Won"], date(2026, 5, 4))
    ForecastCall.objects.create(
        scope_kind="manager",
        scope_key=str(other_manager.pk),
        period_kind="month",
        period_start=date(2026, 5, 1),
        amount=Decimal("1500"),
        currency="USD",
        comment="The 2000 deal slips to June.",
        made_by=other_manager,
        made_at=at(date(2026, 5, 10)),
    )
    run = forecast_run(as_of=AS_OF)

    otto = line(run, "manager", str(other_manager.pk))
    assert (otto.closed, otto.commit, otto.call) == (Decimal(300), Decimal(2000), Decimal(1500))
    assert otto.call_comment == "The 2000 deal slips to June."
    assert otto.rollup_with_calls == Decimal(2300)  # his own tree's numbers, call beside them
    mia = line(run, "manager", str(manager.pk))
    assert (mia.closed, mia.commit, mia.call) == (Decimal(300), Decimal(3000), None)
    assert mia.rollup_with_calls == Decimal(2500)  # Rita's 1000 plus Otto's call
    company = line(run, "company", "")
    assert company.rollup_with_calls == Decimal(2500)
    assert company.weighted_pipeline == Decimal("2400.00")  # 300 + 3000 x 0.70
    # The call covers May only; June has nothing.
    assert line(run, "manager", str(manager.pk), date(2026, 6, 1)).rollup_with_calls == 0


def test_the_quarter_line_adds_up_its_months(stages, rep):
    deal(stages["Negotiation"], rep, "1000", date(2026, 4, 2), date(2026, 5, 25))
    deal(stages["Negotiation"], rep, "400", date(2026, 4, 2), date(2026, 6, 25))
    deal(stages["Negotiation"], rep, "900", date(2026, 4, 2), date(2026, 7, 25))
    run = forecast_run(as_of=AS_OF)
    quarter = line(run, "rep", str(rep.pk), date(2026, 4, 1), "quarter")
    assert quarter.commit == Decimal(1400)
    assert line(run, "rep", str(rep.pk), date(2026, 7, 1), "quarter").commit == Decimal(900)
    assert ForecastLine.objects.filter(run=run, scope_kind="rep").count() == 6


def test_running_the_same_day_again_replaces_the_run(stages, rep):
    deal(stages["Negotiation"], rep, "1000", date(2026, 5, 2), date(2026, 5, 25))
    first = forecast_run(as_of=AS_OF)
    count = first.lines.count()
    deal(stages["Negotiation"], rep, "500", date(2026, 5, 3), date(2026, 5, 25))
    second = forecast_run(as_of=AS_OF)
    assert list(ForecastRun.objects.values_list("pk", "status")) == [
        (second.pk, RunStatus.SUCCEEDED)
    ]
    assert second.lines.count() == count
    assert line(second, "rep", str(rep.pk)).commit == Decimal(1500)
    assert second.duration_seconds >= 0


def test_a_failed_run_is_marked_failed_and_keeps_the_previous_run(stages, rep, monkeypatch):
    deal(stages["Negotiation"], rep, "1000", date(2026, 5, 2), date(2026, 5, 25))
    good = forecast_run(as_of=AS_OF)
    lines = good.lines.count()

    def broken(**kwargs):
        raise RuntimeError("model exploded")

    monkeypatch.setattr("forecasting.services.lines_build", broken)
    with pytest.raises(RuntimeError):
        forecast_run(as_of=AS_OF)
    failed = ForecastRun.objects.get(status=RunStatus.FAILED)
    assert failed.error == "RuntimeError: model exploded"
    assert failed.lines.count() == 0
    good.refresh_from_db()
    assert good.status == RunStatus.SUCCEEDED
    assert good.lines.count() == lines


def test_a_failure_while_saving_leaves_no_half_lines(stages, rep, monkeypatch):
    deal(stages["Negotiation"], rep, "1000", date(2026, 5, 2), date(2026, 5, 25))
    real_build = build.lines_build

    def half_bad(**kwargs):
        lines, used = real_build(**kwargs)
        return [*lines, lines[0]], used  # the last line repeats the first one's scope

    monkeypatch.setattr("forecasting.services.lines_build", half_bad)
    with pytest.raises(IntegrityError):
        forecast_run(as_of=AS_OF)
    assert ForecastLine.objects.count() == 0
    assert ForecastRun.objects.get().status == RunStatus.FAILED


def test_as_of_rebuilds_a_deal_that_moved_stages(stages, rep):
    moved = deal(stages["Prospecting"], rep, "1000", date(2026, 5, 2), date(2026, 5, 28))
    move(moved, stages["Negotiation"], date(2026, 5, 10))
    deal(stages["Negotiation"], rep, "700", date(2026, 5, 12), date(2026, 5, 28))

    before = line(forecast_run(as_of=date(2026, 5, 5)), "rep", str(rep.pk))
    after = line(forecast_run(as_of=date(2026, 5, 12)), "rep", str(rep.pk))
    assert (before.pipeline, before.commit, before.weighted_pipeline) == (
        Decimal(1000),
        Decimal(0),
        Decimal("100.00"),
    )
    assert (after.pipeline, after.commit, after.weighted_pipeline) == (
        Decimal(0),
        Decimal(1700),
        Decimal("1190.00"),
    )


def test_a_long_stay_in_a_stage_counts_in_every_age_bucket_it_spans(stages, rep, learned_history):
    for _ in range(4):  # in Proposal from day 0 to day 100 of their lives, then lost
        row = deal(stages["Proposal"], rep, "100", date(2025, 10, 1))
        move(row, stages["Lost"], date(2026, 1, 9))
    learned = win_probabilities_learn(moment=end_of_day(AS_OF))
    proposal = stages["Proposal"].pk
    assert learned.by_stage_age == {
        (proposal, 0): Decimal("0.3750"),  # 3 won of the 4 young + 4 long stays
        (proposal, 1): Decimal("0.0000"),  # only the long stays were there at 31-90 days
        (proposal, 2): Decimal("0.2000"),  # 4 long stays and the old won one: 1 in 5
    }


def test_overdue_deals_count_at_the_rate_overdue_deals_were_won_lately(stages, rep):
    won_late = deal(stages["Proposal"], rep, "1000", date(2026, 2, 1), date(2026, 3, 20))
    deal(stages["Proposal"], rep, "3000", date(2026, 2, 1), date(2026, 3, 25))
    move(won_late, stages["Won"], date(2026, 4, 10))
    # On 1 April 4000 was overdue and 1000 of it was won in April: a monthly rate of 0.25.
    assert probabilities.overdue_win_rate(moment=end_of_day(AS_OF)) == Decimal("0.2500")
    run = forecast_run(as_of=AS_OF)
    month = line(run, "rep", str(rep.pk))
    assert (month.best_case, month.weighted_pipeline) == (Decimal(3000), Decimal("750.00"))
    quarter = line(run, "rep", str(rep.pk), date(2026, 4, 1), "quarter")
    # Closed 1000, and two months left in the quarter: 3000 x (1 - 0.75^2).
    assert quarter.weighted_pipeline == Decimal("2312.50")


def test_fitting_in_two_processes_gives_the_same_lines(stages, rep, other_rep, monkeypatch):
    for month in range(1, 13):
        won = deal(stages["Proposal"], rep, str(100 * month), date(2025, month, 1))
        move(won, stages["Won"], date(2025, month, 15))
    deal(stages["Negotiation"], other_rep, "500", date(2026, 5, 2), date(2026, 5, 25))

    def values(lines):
        return {(line.scope, line.period_kind, line.period_start): line.values for line in lines}

    alone, _ = forecast_compute(as_of=AS_OF)
    monkeypatch.setattr(build, "PARALLEL_FROM", 1)
    monkeypatch.setattr(build, "WORKERS", 2)
    together, _ = forecast_compute(as_of=AS_OF)
    assert values(together) == values(alone)
    assert any(line.values["ts_point"] for line in alone)


def test_scopes_with_the_same_history_are_fitted_once(stages, rep, monkeypatch):
    for month in range(1, 13):
        won = deal(stages["Proposal"], rep, str(100 * month), date(2025, month, 1))
        move(won, stages["Won"], date(2025, month, 15))
    fitted, fit = [], build.series_forecast

    def counted(history, periods):
        fitted.append(dict(history))
        return fit(history, periods)

    monkeypatch.setattr(build, "series_forecast", counted)
    lines, _ = forecast_compute(as_of=AS_OF)
    # The company, the rep and rep's manager share one history; nothing else has any.
    assert len({(line.scope.kind, line.scope.key) for line in lines}) > 1
    assert len([h for h in fitted if h]) == 1
    assert any(line.values["ts_point"] for line in lines)


def test_a_deal_counts_overdue_at_each_month_start_until_its_date_moves(stages, rep):
    deal(stages["Proposal"], rep, "2000", date(2026, 1, 5), date(2026, 1, 20))
    pushed = deal(stages["Proposal"], rep, "1000", date(2026, 1, 5), date(2026, 1, 25))
    pushed.expected_close_on = date(2026, 6, 30)
    pushed.save(changed_at=at(date(2026, 2, 15)))
    move(pushed, stages["Won"], date(2026, 2, 20))
    # Overdue on 1 February: 2000 + 1000, of which 1000 won that month; on 1 March and 1 April
    # only the 2000 still stuck (the other's date had moved). 1000 / 7000.
    assert probabilities.overdue_win_rate(moment=end_of_day(AS_OF)) == Decimal("0.1429")
