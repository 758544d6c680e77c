"""Measure the project's monthly forecaster on the 1,428 monthly series of the M3 competition.

    .venv/bin/python bench/forecast_m3.py [--out var/forecast_m3.csv] [--workers 2]

Fits forecasting.timeseries.forecast_monthly (the function the nightly run uses) on each
series' training part, writes its 18 forecasts per series as a CSV shaped like
m3_monthly_original_forecasts.csv, and prints the competition's sMAPE, averaged per horizon
over series, for horizons 1-6, 1-12 and 1-18 next to the methods submitted to M3.
"""

import argparse
import csv
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.timeseries import forecast_monthly  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets" / "m3_monthly"
HORIZON = 18
METHOD = "PACER"
RANGES = {"1-6": 6, "1-12": 12, "1-18": 18}


def load() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], pd.DataFrame]:
    values = pd.read_csv(DATA / "m3_monthly_values.csv").sort_values(["series_id", "t"])
    train, test = {}, {}
    for (series_id, split), rows in values.groupby(["series_id", "split"]):
        (train if split == "train" else test)[series_id] = rows["value"].to_numpy(float)
    submitted = pd.read_csv(DATA / "m3_monthly_original_forecasts.csv")
    return train, test, submitted


def fit(item: tuple[str, np.ndarray]) -> tuple[str, str, list[float]]:
    series_id, history = item
    forecast = forecast_monthly(history, HORIZON)
    return series_id, forecast.method, forecast.point


def smape(actual: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """M3's symmetric MAPE per series and horizon, in percent."""
    return 200 * np.abs(actual - forecast) / (np.abs(actual) + np.abs(forecast))


def scores(actual: np.ndarray, forecast: np.ndarray) -> dict[str, float]:
    per_horizon = smape(actual, forecast).mean(axis=0)
    return {name: float(per_horizon[:h].mean()) for name, h in RANGES.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "var" / "forecast_m3.csv"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    train, test, submitted = load()
    ids = sorted(train)

    started = time.perf_counter()
    with Pool(args.workers, initializer=threadpool_limits, initargs=(1,)) as pool:
        results = pool.map(fit, [(i, train[i]) for i in ids], chunksize=16)
    elapsed = time.perf_counter() - started

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["series_id", "method", *[f"f{h}" for h in range(1, HORIZON + 1)]])
        for series_id, _, point in results:
            writer.writerow([series_id, METHOD, *[f"{v:.4f}" for v in point]])

    actual = np.vstack([test[i] for i in ids])
    table = {METHOD: scores(actual, np.vstack([point for _, _, point in results]))}
    columns = [f"f{h}" for h in range(1, HORIZON + 1)]
    for method, rows in submitted.groupby("method"):
        rows = rows.set_index("series_id").loc[ids, columns].to_numpy(float)
        table[method] = scores(actual, rows)

    print(f"{len(ids)} series, {HORIZON} months ahead, {args.workers} workers: {elapsed:.1f} s")
    print(f"{1000 * elapsed * args.workers / len(ids):.0f} ms per series and worker")
    print(f"forecasts written to {out}")
    print(f"{'method':<14}" + "".join(f"{name:>9}" for name in RANGES))
    for method, row in sorted(table.items(), key=lambda item: item[1]["1-18"]):
        print(f"{method:<14}" + "".join(f"{row[name]:9.2f}" for name in RANGES))
    models = pd.Series([method for _, method, _ in results]).value_counts()
    print("models chosen: " + ", ".join(f"{name} {count}" for name, count in models.items()))


if __name__ == "__main__":
    main()
