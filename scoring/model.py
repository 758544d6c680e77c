"""The win model: logistic regression on standardised deal features, calibrated on later days.

Logistic regression rather than gradient boosting: a deal's log-odds are a sum of one term per
feature, so "why" is exact (each feature's term against the average deal) and needs no
approximation such as SHAP; it needs few closed deals to be stable; and it scores 100k deals
in a fraction of a second. The later quarter of the training days, which the regression did
not see, fits a sigmoid (Platt) calibration, so a 30 % score means about 3 deals in 10 win
even when the win rate drifted.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.utils import timezone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from core.periods import local_midnight
from pipeline.models import StageKind
from scoring.features import CATEGORICAL, NUMERIC, Book, Row, deal_row, rates_before
from scoring.reasons import phrase

SNAPSHOT_DAYS = 14  # a training row per deal every two weeks it was open
HISTORY_DAYS = 730
CALIBRATION_SHARE = 0.25
MIN_EXAMPLES = 40
MIN_STAGE_ROWS = 20  # training rows a stage needs before its learned rate replaces the default
REASONS = 3


class NotEnoughHistory(ValueError):
    pass


@dataclass
class Examples:
    rows: list[Row]
    won: np.ndarray
    days: list  # the snapshot day of each row, in time order


def training_examples(book: Book, cutoff: datetime, history_days: int = HISTORY_DAYS) -> Examples:
    """A row per deal and snapshot day before `cutoff` on which the deal was open, for the
    deals that closed (won or lost) by `cutoff`, labelled with how they ended."""
    last = timezone.localdate(cutoff)
    first = last - timedelta(days=history_days)
    closed = [
        pk
        for pk, facts in book.deals.items()
        if facts.closed_on is not None and facts.closed_on <= last
    ]
    rows, won, days = [], [], []
    day = last - timedelta(days=SNAPSHOT_DAYS)
    snapshots = []
    while day >= first:
        snapshots.append(day)
        day -= timedelta(days=SNAPSHOT_DAYS)
    for day in reversed(snapshots):
        moment, rates = local_midnight(day), rates_before(book, day)
        for pk in closed:
            facts = book.deals[pk]
            if facts.created_on > day or facts.closed_on < day:  # type: ignore[operator]
                continue
            row = deal_row(book, pk, moment, rates)
            if row is not None:
                rows.append(row)
                won.append(facts.status == StageKind.WON)
                days.append(day)
    return Examples(rows, np.array(won, dtype=bool), days)


@dataclass
class Encoder:
    """Numeric features as they are; each category seen in training as a 0/1 column."""

    levels: dict[str, list]

    @classmethod
    def fit(cls, rows: Sequence[Row]) -> "Encoder":
        seen: dict[str, set] = defaultdict(set)
        for row in rows:
            for name in CATEGORICAL:
                seen[name].add(row.categories[name])
        return cls({name: sorted(seen[name], key=str) for name in CATEGORICAL})

    @property
    def groups(self) -> list[str]:
        """The feature each column belongs to, in column order."""
        return [*NUMERIC, *(name for name in CATEGORICAL for _ in self.levels[name])]

    def matrix(self, rows: Sequence[Row]) -> np.ndarray:
        width = len(NUMERIC) + sum(len(values) for values in self.levels.values())
        out = np.zeros((len(rows), width))
        offsets, start = {}, len(NUMERIC)
        for name in CATEGORICAL:
            offsets[name] = {value: start + i for i, value in enumerate(self.levels[name])}
            start += len(self.levels[name])
        for i, row in enumerate(rows):
            out[i, : len(NUMERIC)] = [row.numeric[name] for name in NUMERIC]
            for name in CATEGORICAL:
                column = offsets[name].get(row.categories[name])
                if column is not None:
                    out[i, column] = 1.0
        return out


@dataclass
class StageBaseline:
    """The stage-probability baseline: each stage's win rate over the training rows."""

    rates: dict
    overall: float

    @classmethod
    def fit(cls, examples: Examples, defaults: dict) -> "StageBaseline":
        counts: dict = defaultdict(lambda: [0, 0])
        for row, won in zip(examples.rows, examples.won, strict=True):
            counts[row.categories["stage"]][0] += int(won)
            counts[row.categories["stage"]][1] += 1
        rates = dict(defaults)
        rates.update({stage: w / n for stage, (w, n) in counts.items() if n >= MIN_STAGE_ROWS})
        return cls(rates, float(examples.won.mean()) if len(examples.won) else 0.5)

    def predict(self, rows: Sequence[Row]) -> np.ndarray:
        return np.array([self.rates.get(row.categories["stage"], self.overall) for row in rows])


@dataclass
class WinModel:
    encoder: Encoder
    regression: Pipeline
    calibrated: CalibratedClassifierCV | None
    baseline: StageBaseline

    def predict(self, rows: Sequence[Row]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        matrix = self.encoder.matrix(rows)
        fitted = self.calibrated or self.regression
        return fitted.predict_proba(matrix)[:, 1]

    def contributions(self, rows: Sequence[Row]) -> tuple[list[str], np.ndarray]:
        """Each feature's term in each deal's log-odds, against the average training deal."""
        scaler, regression = self.regression[0], self.regression[-1]
        terms = scaler.transform(self.encoder.matrix(rows)) * regression.coef_[0]
        groups = self.encoder.groups
        names = list(dict.fromkeys(groups))
        index = np.array([names.index(group) for group in groups])
        summed = np.zeros((len(rows), len(names)))
        np.add.at(summed.T, index, terms.T)
        return names, summed

    def reasons(self, rows: Sequence[Row]) -> list[list[dict]]:
        """The `REASONS` strongest terms of each deal, in words, strongest first."""
        if not rows:
            return []
        names, terms = self.contributions(rows)
        order = np.argsort(-np.abs(terms), axis=1)[:, :REASONS]
        return [
            [
                {
                    "text": phrase(names[j], row.shown),
                    "effect": "+" if terms[i, j] > 0 else "-",
                }
                for j in order[i]
            ]
            for i, row in enumerate(rows)
        ]


def model_train(examples: Examples, stage_defaults: dict) -> WinModel:
    """Fit the regression on the earlier days, calibrate it on the later ones."""
    if len(examples.rows) < MIN_EXAMPLES or len(set(examples.won.tolist())) < 2:
        raise NotEnoughHistory(
            f"{len(examples.rows)} training rows from closed deals: at least {MIN_EXAMPLES}, "
            "won and lost, are needed"
        )
    encoder = Encoder.fit(examples.rows)
    matrix = encoder.matrix(examples.rows)
    split = _calibration_start(examples.days)
    fit_y, cal_y = examples.won[:split], examples.won[split:]
    if split < MIN_EXAMPLES or len(set(fit_y.tolist())) < 2 or len(set(cal_y.tolist())) < 2:
        split = len(examples.rows)  # too little to hold days back: no separate calibration
    regression = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    regression.fit(matrix[:split], examples.won[:split])
    calibrated = None
    if split < len(examples.rows):
        calibrated = CalibratedClassifierCV(FrozenEstimator(regression), method="sigmoid")
        calibrated.fit(matrix[split:], examples.won[split:])
    return WinModel(encoder, regression, calibrated, StageBaseline.fit(examples, stage_defaults))


def _calibration_start(days: list) -> int:
    """The first row of the last `CALIBRATION_SHARE` of the snapshot days."""
    distinct = sorted(set(days))
    if len(distinct) < 4:
        return len(days)
    first_held = distinct[int(len(distinct) * (1 - CALIBRATION_SHARE))]
    return next(i for i, day in enumerate(days) if day >= first_held)
