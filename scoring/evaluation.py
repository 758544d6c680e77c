"""Time-ordered evaluation: train on what was known on a day, score the deals open that day,
compare with how they ended."""

from dataclasses import dataclass
from datetime import date

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score

from core.periods import local_midnight
from pipeline.models import StageKind
from scoring.features import Book, deal_row, rates_before
from scoring.model import model_train, training_examples

BINS = 10


@dataclass
class Outcome:
    """The scores of the deals open on `day` that have closed since, and how they ended."""

    day: date
    model: np.ndarray
    baseline: np.ndarray
    won: np.ndarray
    examples: int  # the training rows behind the model


@dataclass(frozen=True)
class Fit:
    auc: float | None  # None: every deal ended the same way
    brier: float


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    deals: int
    predicted: float | None
    won: float | None


def backtest_at(book: Book, day: date, stage_defaults: dict) -> Outcome:
    """Train on the deals closed by `day`, score those open then that have closed since."""
    moment = local_midnight(day)
    examples = training_examples(book, moment)
    model = model_train(examples, stage_defaults)
    rates = rates_before(book, day)
    ended = [
        pk
        for pk, facts in book.deals.items()
        if facts.closed_on is not None and facts.closed_on >= day and facts.created_on <= day
    ]
    rows = [row for pk in ended if (row := deal_row(book, pk, moment, rates)) is not None]
    won = np.array([book.deals[row.deal_id].status == StageKind.WON for row in rows], dtype=bool)
    return Outcome(day, model.predict(rows), model.baseline.predict(rows), won, len(examples.rows))


def fit_of(probabilities: np.ndarray, won: np.ndarray) -> Fit:
    auc = float(roc_auc_score(won, probabilities)) if len(set(won.tolist())) == 2 else None
    return Fit(auc, float(brier_score_loss(won, probabilities, pos_label=True)))


def calibration_table(probabilities: np.ndarray, won: np.ndarray, bins: int = BINS) -> list[Bin]:
    """Deals by predicted probability in equal-width bins: how many, predicted and won share."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(probabilities, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = which == b
        count = int(mask.sum())
        table.append(
            Bin(
                float(edges[b]),
                float(edges[b + 1]),
                count,
                float(probabilities[mask].mean()) if count else None,
                float(won[mask].mean()) if count else None,
            )
        )
    return table


def pooled(outcomes: list[Outcome]) -> Outcome:
    """All back-test days' deals as one sample."""
    return Outcome(
        outcomes[-1].day,
        np.concatenate([o.model for o in outcomes]),
        np.concatenate([o.baseline for o in outcomes]),
        np.concatenate([o.won for o in outcomes]),
        sum(o.examples for o in outcomes),
    )
