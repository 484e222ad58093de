"""Daily policy-intelligence pipeline: plan → process batches (mapped) → load → extract → dbt build → validate → publish.

Each task is a thin call into ``ingest.pipeline``; all of them work on one
build DuckDB file beside the published warehouse, and only ``publish`` touches
the published file, by an atomic rename after the checks have passed. Every
task is idempotent, so retries and re-runs are safe.

Settings come from the run's params (``airflow dags test policy_pipeline -c
'{"corpus_dir": ..., "warehouse": ...}'``) with defaults from the environment:
``POLICY_CORPUS_DIR`` and ``POLICY_WAREHOUSE``. Web inputs (``urls``, ``feeds``,
``sitemaps``) are fetched with trafilatura; ``POLICY_ALLOW_PRIVATE_ADDRESSES=1``
lets them reach private addresses (an intranet mirror), which is refused otherwise.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.sdk import Param, dag, task

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = os.environ.get("POLICY_CORPUS_DIR", str(PROJECT_DIR / "corpus" / "sample"))
DEFAULT_WAREHOUSE = os.environ.get("POLICY_WAREHOUSE", str(PROJECT_DIR / "warehouse" / "policy.duckdb"))


def _paths(params: dict):
    from ingest.pipeline import WarehousePaths

    return WarehousePaths.for_warehouse(params["warehouse"])


@dag(
    dag_id="policy_pipeline",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": int(os.environ.get("POLICY_TASK_RETRIES", "2")),
        "retry_delay": timedelta(minutes=5),
    },
    params={
        "corpus_dir": Param(DEFAULT_CORPUS, type="string", description="Folder of documents to ingest"),
        "warehouse": Param(DEFAULT_WAREHOUSE, type="string", description="Published DuckDB file, or a DuckLake (a path ending in .ducklake)"),
        "urls": Param([], type="array", description="Pages to fetch"),
        "feeds": Param([], type="array", description="RSS/Atom feeds whose articles to fetch"),
        "sitemaps": Param([], type="array", description="Sitemaps whose pages to fetch"),
    },
    tags=["policy", "duckdb", "dbt"],
    doc_md=__doc__,
)
def policy_pipeline():
    @task
    def plan_batches(params: dict | None = None, run_id: str | None = None) -> list[str]:
        from ingest.pipeline import plan_batches

        return plan_batches(
            _paths(params).build,
            run_id,
            corpus_dir=params["corpus_dir"] or None,
            urls=params["urls"],
            feeds=params["feeds"],
            sitemaps=params["sitemaps"],
        )

    # One mapped task instance per batch: under the CeleryExecutor they spread
    # over the workers; each reads, cleans and extracts into Parquet files.
    @task(max_active_tis_per_dagrun=int(os.environ.get("POLICY_PARALLEL_BATCHES", "4")))
    def process_batch(manifest: str, params: dict | None = None) -> str:
        from ingest.pipeline import process_batch

        return process_batch(_paths(params).build, manifest)

    @task
    def load_batches(batches: list[str], params: dict | None = None, run_id: str | None = None) -> dict:
        from ingest.pipeline import load_run

        return load_run(_paths(params).build, run_id).as_dict()

    @task
    def extract_mentions(loaded: dict, params: dict | None = None) -> dict:
        # Batches extract as they go; this catches up documents loaded before
        # the current extractor version.
        from ingest.pipeline import extract_pending

        return extract_pending(_paths(params).build)

    @task
    def build_marts(extracted: dict, params: dict | None = None) -> dict:
        from ingest.pipeline import transform

        return transform(_paths(params).build)

    @task
    def validate_marts(built: dict, loaded: dict, params: dict | None = None) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from expectations import ChecksFailed
        from ingest.pipeline import validate

        try:
            return validate(_paths(params).build, loaded["run_id"])
        except ChecksFailed as exc:
            # Bad data does not get better on a retry: fail now, batch quarantined.
            raise AirflowFailException(str(exc)) from exc

    @task
    def publish_warehouse(validated: dict, params: dict | None = None) -> str:
        from ingest.pipeline import publish

        return str(publish(_paths(params)))

    loaded = load_batches(process_batch.expand(manifest=plan_batches()))
    publish_warehouse(validate_marts(build_marts(extract_mentions(loaded)), loaded))


policy_pipeline()
