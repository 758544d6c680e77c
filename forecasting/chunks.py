"""A run's scopes as JSON, so that workers can each take a chunk of them: the database pass
happens once, the fits and the writing of lines on as many workers as there are."""

from dataclasses import asdict
from datetime import date
from decimal import Decimal

from forecasting.blending import Weight
from forecasting.build import PeriodKey, ScopeInput, Sums
from forecasting.scopes import ScopeRef

SUMS = ("closed", "commit", "best_case", "pipeline", "weighted_open")


def _key(key: PeriodKey) -> str:
    return f"{key[0]}:{key[1].isoformat()}"


def _unkey(text: str) -> PeriodKey:
    kind, start = text.split(":")
    return kind, date.fromisoformat(start)


def scope_input_dump(item: ScopeInput) -> dict:
    return {
        "scope": asdict(item.scope),
        "history": {month.isoformat(): str(v) for month, v in item.history.items()},
        "sums": {_key(k): [str(getattr(s, name)) for name in SUMS] for k, s in item.sums.items()},
        "rollups": {_key(k): str(v) for k, v in item.rollups.items()},
        "calls": {_key(k): [str(amount), comment] for k, (amount, comment) in item.calls.items()},
    }


def scope_input_load(data: dict) -> ScopeInput:
    return ScopeInput(
        scope=ScopeRef(**data["scope"]),
        history={date.fromisoformat(m): Decimal(v) for m, v in data["history"].items()},
        sums={
            _unkey(k): Sums(**dict(zip(SUMS, map(Decimal, v), strict=True)))
            for k, v in data["sums"].items()
        },
        rollups={_unkey(k): Decimal(v) for k, v in data["rollups"].items()},
        calls={_unkey(k): (Decimal(a), comment) for k, (a, comment) in data["calls"].items()},
    )


def weights_dump(weights: dict[int, Weight]) -> dict[str, list]:
    return {str(index): [w.pipeline, w.months] for index, w in weights.items()}


def weights_load(data: dict[str, list]) -> dict[int, Weight]:
    return {int(index): Weight(share, months) for index, (share, months) in data.items()}
