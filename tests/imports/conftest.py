from pathlib import Path

import pytest

from imports.services import import_run_execute, import_run_start

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
MAVEN = DATASETS / "maven_crm"
TELCO = DATASETS / "telco_churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
MAVEN_FILES = [  # in the order they must run
    ("products.csv", "maven_crm_products.yaml"),
    ("sales_teams.csv", "maven_crm_sales_teams.yaml"),
    ("accounts.csv", "maven_crm_accounts.yaml"),
    ("sales_pipeline.csv", "maven_crm_sales_pipeline.yaml"),
]


def run_import(path, *, mapping: str = "", kind: str = "", dry_run: bool = False, **options):
    """Start and execute a logged import; returns the run and its report."""
    run = import_run_start(path=Path(path), mapping=mapping, kind=kind, dry_run=dry_run)
    return run, import_run_execute(run=run, **options)


def import_maven() -> list:
    if not MAVEN.exists():
        pytest.skip(f"the Maven CRM data set is not at {MAVEN}")
    return [run_import(MAVEN / name, mapping=mapping)[1] for name, mapping in MAVEN_FILES]


@pytest.fixture
def write_csv(tmp_path):
    """Write text (or bytes) to a CSV file and return its path."""

    def write(content: str | bytes, name: str = "data.csv") -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            path.write_bytes(content)
        return path

    return write
