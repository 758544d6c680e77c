"""The forecast page: the grid of a scope and its children, calls with their history, what
changed, and how close past calls came, all from the viewer's scope (access)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import BadRequest
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone

import access
from core.formatting import NO_VALUE, money_compact
from core.periods import Period, end_of_day, fiscal_label, local_midnight
from forecasting.call_accuracy import CallAccuracy, call_accuracy
from forecasting.changes import Changes, deal_changes
from forecasting.grid import (
    DEAL_COLUMNS,
    GRID_PERIODS,
    HOW,
    Node,
    People,
    Row,
    Sources,
    calls_in_force,
    cell_deals,
    grid_period,
    grid_rows,
    node_deals,
)
from forecasting.methods import method_describe
from forecasting.models import ForecastCall, ForecastLine, ForecastRun, ScopeKind
from forecasting.selectors import forecast_run_latest
from org.models import User
from scoring.selectors import deal_scores, pipeline_weighting

DEFAULT_PERIOD = "quarter"
COMMIT_SHOWN = 10


@dataclass(frozen=True)
class Choice:
    period: str  # a GRID_PERIODS key
    kind: str  # month or quarter
    window: Period
    node: Node
    people: People

    @property
    def label(self) -> str:
        return fiscal_label(self.window.start, self.kind)

    def query(self, **changes: str) -> str:
        values = {"scope": self.node.param, "period": self.period} | changes
        return urlencode(values)


def page_choice(user: User, query: QueryDict, today: date) -> Choice:
    """The period and scope asked for: a 400 for a malformed value, a 404 for a scope the
    viewer does not see."""
    period = query.get("period") or DEFAULT_PERIOD
    if period not in GRID_PERIODS:
        raise BadRequest(f"period is one of {', '.join(GRID_PERIODS)}.")
    kind, window = grid_period(period, today)
    people = People(access.visible_people(user))
    return Choice(period, kind, window, _node(user, people, query.get("scope") or ""), people)


def _node(user: User, people: People, text: str) -> Node:
    root = access.forecast_page_root(user)
    if root is None:
        raise Http404("No forecast to show.")
    if not text:
        text = root[0] if root[0] == ScopeKind.COMPANY else f"{root[0]}:{root[1]}"
    if text == ScopeKind.COMPANY:
        if root[0] != ScopeKind.COMPANY:
            raise Http404("No such scope.")
        return Node(ScopeKind.COMPANY)
    kind, _, key = text.partition(":")
    if kind not in (ScopeKind.MANAGER, ScopeKind.REP) or not key.isdigit():
        raise BadRequest("scope is company, manager:<id> or rep:<id>.")
    if not people.has_node(int(key)) or people.node(int(key)).kind != kind:
        raise Http404("No such scope.")
    return people.node(int(key))


def sources(user: User) -> tuple[Sources, ForecastRun | None]:
    run = forecast_run_latest()
    lines = access.visible_forecast_lines(user)
    return (
        Sources(
            deals=access.visible_deals(user),
            quotas=access.visible_quotas(user),
            calls=access.visible_forecast_calls(user),
            lines=lines.filter(run=run) if run else ForecastLine.objects.none(),
        ),
        run,
    )


def _amount(value: Decimal | None) -> str:
    return NO_VALUE if value is None else f"{value:,.2f}"


def _cell(value: Decimal | None, how: str, url: str = "", note: str = "") -> dict:
    return {"text": _amount(value), "how": how, "url": url, "note": note, "raw": value}


def _model_cells(row: Row) -> list[dict]:
    line = row.line
    if line is None:
        missing = "No forecast run covers this scope and period yet (`run_forecast`)."
        return [_cell(None, missing), _cell(None, missing)]
    interval = ""
    if None not in (line.ts_point, line.ts_low80, line.ts_high80):
        # The time series' own point beside its interval: the blend may lie outside it.
        point, low, high = (
            money_compact(v) for v in (line.ts_point, line.ts_low80, line.ts_high80)
        )
        interval = f"time series {point}, 80 %: {low} – {high}"
    series = method_describe(line.method).label if line.method else "no time series"
    how = f"Blend of the weighted pipeline and the {series}: {line.blend_method}."
    return [
        _cell(line.weighted_pipeline, HOW["weighted"]),
        _cell(line.blended, how, note=interval),
    ]


def row_cells(choice: Choice, row: Row) -> list[dict]:
    """The cells of one grid row, each with its one-line how and its drill-down."""

    def drill(column: str) -> str:
        query = choice.query(scope=row.node.param, column=column)
        return f"{reverse('forecast:deals')}?{query}"

    weighted, model = _model_cells(row)
    if row.line is not None:
        weighted["url"] = model["url"] = drill("weighted")
    call = row.call
    call_note = "" if call is None or call.best_case is None else f"best {_amount(call.best_case)}"
    call_how = HOW["call"]
    if call is not None:
        call_how = f"{call.made_by} on {call.made_at:%Y-%m-%d %H:%M}: {call.comment}"
    elif row.node.kind == ScopeKind.REP:
        call_how = "Reps make no call; their closed + commit rolls up."
    return [
        _cell(row.closed, HOW["closed"], drill("closed")),
        _cell(row.commit, HOW["commit"], drill("commit")),
        _cell(row.best_case, HOW["best_case"], drill("best_case")),
        _cell(row.pipeline, HOW["pipeline"], drill("pipeline")),
        weighted,
        _cell(None if call is None else call.amount, call_how, note=call_note),
        _cell(row.rollup, HOW["rollup"]),
        model,
        _cell(row.quota, HOW["quota"]),
        _cell(row.gap, HOW["gap"]),
    ]


GRID_HEADINGS = [
    "Closed",
    "Commit",
    "Best case",
    "Pipeline",
    "Weighted pipeline",
    "Call",
    "Roll-up of calls",
    "Model forecast",
    "Quota",
    "Gap to quota",
]


def grid_context(user: User, choice: Choice, today: date) -> dict:
    found, run = sources(user)
    rows = grid_rows(found, choice.people, choice.node, choice.kind, choice.window, today)
    shown = [
        {
            "name": row.node.name,
            "kind": row.node.kind,
            "url": None if index == 0 else "?" + choice.query(scope=row.node.param),
            "cells": row_cells(choice, row),
            "total": index == 0,
        }
        for index, row in enumerate(rows)
    ]
    return {"rows": shown, "headings": GRID_HEADINGS, "run": run, "grid": rows}


def trail(choice: Choice, user: User) -> list[dict]:
    """The way from the viewer's own grid down to the chosen scope."""
    root = access.forecast_page_root(user)
    steps = []
    pk = choice.node.person.pk if choice.node.person else None
    while pk is not None and pk in choice.people.by_id:
        if choice.people.has_node(pk):
            node = choice.people.node(pk)
            steps.append({"name": node.name, "url": "?" + choice.query(scope=node.param)})
        if root and root[1] == str(pk):
            break
        pk = choice.people.by_id[pk].manager_id
    if root and root[0] == ScopeKind.COMPANY:
        steps.append({"name": "Company", "url": "?" + choice.query(scope="company")})
    return steps[::-1]


def call_history(user: User, choice: Choice) -> list[dict]:
    """Every call of the scope and period, newest first, with what each changed."""
    calls = access.visible_forecast_calls(user).filter(
        scope_kind=choice.node.kind,
        scope_key=choice.node.key,
        period_kind=choice.kind,
        period_start=choice.window.start,
    )
    ordered = list(calls.select_related("made_by").order_by("made_at", "id"))
    history, before = [], None
    for call in ordered:
        history.append({"call": call, "changes": _changed(before, call)})
        before = call
    return history[::-1]


def _changed(before: ForecastCall | None, call: ForecastCall) -> str:
    if before is None:
        return "first call"
    words = []
    for name, label in (("amount", "commit"), ("best_case", "best case")):
        old, new = getattr(before, name), getattr(call, name)
        if old != new:
            words.append(f"{label} {_amount(old)} → {_amount(new)}")
    return ", ".join(words) or "same numbers, new comment"


def _since_run(choice: Choice, run: ForecastRun | None) -> tuple[datetime, str]:
    if run is not None:
        # A run started during its as-of day saw the deals as they stood when it started.
        moment = min(end_of_day(run.as_of), run.started_at)
        return moment, f"the last forecast run ({timezone.localtime(moment):%Y-%m-%d %H:%M})"
    start = choice.window.start
    return local_midnight(start), f"the start of the period ({start.isoformat()})"


def _since_call(user: User, choice: Choice, run: ForecastRun | None) -> tuple[datetime, str]:
    """The scope's last call for the period; without one, as `_since_run`."""
    calls = calls_in_force(access.visible_forecast_calls(user), choice.kind, choice.window.start)
    call = calls.get((choice.node.kind, choice.node.key))
    if call is None:
        return _since_run(choice, run)
    return call.made_at, f"the last call ({timezone.localtime(call.made_at):%Y-%m-%d %H:%M})"


def inspection(user: User, choice: Choice, run: ForecastRun | None, today: date) -> dict:
    """The deals making up commit; those pushed out or pulled in since the last call; those
    new or lost since the last run."""
    deals = node_deals(access.visible_deals(user), choice.people, choice.node)
    commit = cell_deals(deals, choice.people, choice.node, "commit", choice.window, today)
    call_moment, call_words = _since_call(user, choice, run)
    run_moment, run_words = _since_run(choice, run)
    moved: Changes = deal_changes(deals, choice.window, call_moment, today)
    came = (
        moved
        if run_moment == call_moment
        else deal_changes(deals, choice.window, run_moment, today)
    )
    scores = deal_scores(commit)
    return {
        "commit_deals": [
            {"deal": deal, "score": scores.get(deal.pk)}
            for deal in commit.select_related("owner").order_by("-amount", "pk")
        ],
        "weighting": pipeline_weighting()[1],
        "commit_url": f"{reverse('forecast:deals')}?{choice.query(column='commit')}",
        "moved": moved,
        "came": came,
        "since_call": call_words,
        "since_run": run_words,
    }


def accuracy_rows(user: User, choice: Choice, today: date) -> list[dict]:
    """Each manager's past calls (the scope's and its child managers') against what closed."""
    nodes = [choice.node, *choice.people.child_nodes(choice.node)]
    calls = access.visible_forecast_calls(user)
    deals = access.visible_deals(user)
    rows = []
    for node in nodes:
        if node.kind == ScopeKind.REP:
            continue
        mine = calls.filter(scope_kind=node.kind, scope_key=node.key)
        score: CallAccuracy = call_accuracy(
            mine, node_deals(deals, choice.people, node), choice.kind, today
        )
        rows.append({"name": node.name, "score": score})
    return rows


def deal_column_title(choice: Choice, column: str) -> str:
    if column not in DEAL_COLUMNS:
        raise BadRequest(f"column is one of {', '.join(DEAL_COLUMNS)}.")
    words = {
        "weighted": "Deals the weighted pipeline and the model weigh: closed, and open due",
        "closed": "Won deals closed",
    }.get(column, f"Open {DEAL_COLUMNS[column]} deals due")
    return f"{words} in {choice.label} · {choice.node.name}"
