"""What each forecast figure and time-series model is called, in plain words, and a line on
how its number was made: the one place the pages, the API and the exports read them from."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    key: str
    label: str
    how: str


def _methods(*rows: tuple[str, str, str]) -> dict[str, Method]:
    return {key: Method(key, label, how) for key, label, how in rows}


# The figures each forecast line holds (the accuracy panel scores each against what closed).
FIGURES = _methods(
    (
        "weighted_pipeline",
        "weighted pipeline",
        "Revenue closed so far plus every open deal due in the period, each weighted by how "
        "often deals at its stage and age went on to win.",
    ),
    (
        "ts_point",
        "time series",
        "A statistical model fitted to the scope's monthly won revenue, projected ahead.",
    ),
    (
        "blended",
        "blend",
        "The weighted pipeline and the time series averaged, each weighted by how close it came "
        "in past months; never below revenue already closed.",
    ),
    ("call", "manager's call", "The number the manager called for their tree, with why."),
    (
        "rollup_with_calls",
        "roll-up of calls",
        "Closed plus commit up the reporting tree, with each lower manager's call in place of "
        "their team's own numbers.",
    ),
)

SERIES = _methods(
    (
        "ets+theta+ces",
        "time series: average of exponential smoothing, Theta and complex exponential smoothing",
        "Three statistical models fitted to two years or more of monthly won revenue, the "
        "yearly pattern allowed for, their forecasts averaged.",
    ),
    (
        "ses+damped+theta",
        "time series: average of exponential smoothing, damped trend and Theta",
        "Under two years of history: simple, damped-trend and Theta smoothing fitted to the "
        "monthly won revenue, their forecasts averaged.",
    ),
    (
        "seasonal ses+damped+theta",
        "time series: average of exponential smoothing, damped trend and Theta, with seasons",
        "The yearly pattern taken out, three smoothing models fitted and averaged, the pattern "
        "put back.",
    ),
    (
        "seasonal naive",
        "time series: same month last year",
        "Under two years of history with a strong yearly pattern: each month as it was a year "
        "before.",
    ),
    (
        "naive",
        "time series: last month repeated",
        "Under four months of history, or one that never changed: the last month's won revenue, "
        "carried forward.",
    ),
)


def method_describe(key: str) -> Method:
    """A time-series model or forecast figure by its key; an unknown key stands for itself."""
    return SERIES.get(key) or FIGURES.get(key) or Method(key, key, "")
