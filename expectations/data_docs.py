"""Render validation runs as Great Expectations Data Docs (static HTML).

``build_data_docs(report, out_dir, run_name=...)`` adds the run's validation
results to a results store kept inside ``out_dir`` (``out_dir/.results``,
JSON) and renders them with GX's own site builder into ``out_dir``:
``index.html`` lists every kept run (newest first, per suite, with its status,
read from ``out_dir/.index_summaries.json`` for the runs before this one),
each run has a page per suite showing which expectations failed and their
unexpected values (for a check run in passes of documents, a page for the
first pass and one for each later pass that failed), and ``expectations/``
documents the current suites. Each expectation's description starts with its
severity (``[critical]`` or ``[warning]``). The last ``keep_runs`` runs are
kept; older ones are dropped from the store and their pages removed by the
site builder.

The context is ephemeral (nothing outside ``out_dir`` is written, no
great_expectations.yml), with a filesystem store for the results and a local
filesystem site, which GX 1.x supports through ``DataContextConfig``.
"""

from __future__ import annotations

import copy
import html
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from expectations.runner import MAX_EXAMPLES, CheckReport, ExpectationOutcome, _plain

SITE_NAME = "local_site"
RESULTS_DIR = ".results"  # inside out_dir: the validation results store (JSON)
INDEX_SUMMARIES = ".index_summaries.json"  # inside out_dir: what the index shows of each kept result
BATCH_IDENTIFIER = "whole_table"
DEFAULT_KEEP_RUNS = 30
VIEWS_MODULE = "expectations.data_docs_views"  # GX's page views and index builder, made faster


def build_data_docs(
    report_or_results: CheckReport | Iterable[Any],
    out_dir: str | Path,
    *,
    run_name: str | None = None,
    keep_runs: int = DEFAULT_KEEP_RUNS,
) -> Path:
    """Render a validation run into the Data Docs site at ``out_dir``; return its index.html.

    ``report_or_results`` is a ``CheckReport`` from ``run_checks`` (tables that
    could not be read appear as a failed suite of their own) or GX
    ``ExpectationSuiteValidationResult`` objects. ``run_name`` labels the run
    in the site (pass the validation run id recorded in audit.validation_results);
    by default it is the report's check time.
    """
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    if isinstance(report_or_results, CheckReport):
        run_time = report_or_results.checked_at.replace(tzinfo=UTC)
        validations = list(report_or_results.validations)
        validations += [
            _unreadable(r) for r in report_or_results.results if _is_unreadable(r)
        ]
    else:
        run_time = datetime.now(UTC)
        validations = list(report_or_results)
    run_id = RunIdentifier(
        run_name=run_name or f"checks-{run_time:%Y%m%dT%H%M%SZ}", run_time=run_time
    )

    context = _site_context(out_dir)
    new_keys: list[Any] = []
    for validation in validations:
        validation = _for_docs(validation, run_id)
        suite_key = ExpectationSuiteIdentifier(name=validation.suite_name)
        if suite_key not in new_keys:
            _add_suite(context, validation)
            new_keys.append(suite_key)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=suite_key,
            run_id=run_id,
            batch_identifier=_batch_identifier(validation),
        )
        context.validation_results_store.set(key, validation)
        new_keys.append(key)
    _prune(context, keep_runs)
    # Only this run's pages are rendered; the index lists every run kept in the store.
    context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=new_keys)
    # GX removes a dropped run's files, not its folders.
    for folder in (out_dir / RESULTS_DIR, out_dir / "validations"):
        _remove_empty_folders(folder)
    return out_dir / "index.html"


def _site_context(out_dir: Path):
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        ProgressBarsConfig,
    )

    def in_memory(class_name: str) -> dict:
        return {
            "class_name": class_name,
            "store_backend": {"class_name": "InMemoryStoreBackend"},
        }

    page_view = {"module_name": VIEWS_MODULE, "class_name": "CachedPageView"}
    config = DataContextConfig(
        stores={
            "expectations_store": in_memory("ExpectationsStore"),
            "validation_results_store": {
                "class_name": "ValidationResultsStore",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(out_dir / RESULTS_DIR),
                },
            },
            "checkpoint_store": in_memory("CheckpointStore"),
            "validation_definition_store": in_memory("ValidationDefinitionStore"),
        },
        expectations_store_name="expectations_store",
        validation_results_store_name="validation_results_store",
        checkpoint_store_name="checkpoint_store",
        data_docs_sites={
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(out_dir),
                },
                "site_index_builder": {
                    "module_name": VIEWS_MODULE,
                    "class_name": "SummarizedSiteIndexBuilder",
                    "summary_file": str(out_dir / INDEX_SUMMARIES),
                    "view": {"module_name": VIEWS_MODULE, "class_name": "CachedIndexPageView"},
                },
                "site_section_builders": {
                    "expectations": {"view": page_view},
                    "validations": {"view": page_view},
                    "profiling": "None",  # no profiling runs: skip the section
                },
            }
        },
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    # GX logs every rendered page at INFO; keep the pipeline's output readable.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    return gx.get_context(mode="ephemeral", project_config=config)


def _batch_identifier(validation) -> str:
    """The page's batch: the whole table, or one pass of a check run in passes of documents."""
    checked_pass = (validation.meta or {}).get("pass")
    if not checked_pass:
        return BATCH_IDENTIFIER
    return f"documents_pass_{checked_pass['number']}_of_{checked_pass['of']}"


def _for_docs(validation, run_id):
    """A copy labelled with the run, its table, and each expectation's severity."""
    validation = copy.deepcopy(validation)
    validation.meta = dict(validation.meta or {})
    validation.meta["run_id"] = run_id
    validation.meta["validation_time"] = run_id.run_time
    batch_spec = dict(validation.meta.get("batch_spec") or {})
    checked_pass = validation.meta.get("pass")
    if checked_pass:
        label = f"documents, pass {checked_pass['number']} of {checked_pass['of']}"
        if checked_pass["number"] == 1:
            label += "; a later pass has a page of its own when it failed"
        batch_spec["data_asset_name"] = f"{validation.suite_name} ({label})"
    else:
        batch_spec["data_asset_name"] = validation.suite_name
    validation.meta["batch_spec"] = batch_spec
    for result in validation.results:
        config = result.expectation_config
        severity = (config.meta or {}).get("severity", "warning")
        description = config.description or config.type
        rows = _failing_rows(result)
        if rows:
            description += f" — failing rows: {rows}"
        # GX puts descriptions into the page as HTML: escape < > & (comparators).
        config.description = html.escape(f"[{severity}] {description}", quote=False)
    return validation


def _failing_rows(result) -> str:
    """The id columns and values of a failed expectation's first failing rows, as text."""
    if result.success:
        return ""
    rows = (result.result or {}).get("partial_unexpected_index_list") or []
    shown = [
        ", ".join(f"{k}={_plain(v)}" for k, v in row.items())
        for row in rows[:MAX_EXAMPLES]
        if isinstance(row, dict)
    ]
    return "; ".join(shown)


def _add_suite(context, validation) -> None:
    """Document the suite the results came from (its expectation pages)."""
    import great_expectations as gx

    expectations = []
    for result in validation.results:
        expectation = result.expectation_config.to_domain_obj()
        expectation.id = None  # a copy: it must not belong to the validated suite
        expectations.append(expectation)
    context.suites.add(
        gx.ExpectationSuite(name=validation.suite_name, expectations=expectations)
    )


def _is_unreadable(outcome: ExpectationOutcome) -> bool:
    return outcome.expectation_type == "table_is_readable" and not outcome.success


def _unreadable(outcome: ExpectationOutcome):
    """A failed suite result for a table that could not be read (no GX validation ran)."""
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    config = ExpectationConfiguration(
        type="expect_table_row_count_to_be_between",
        kwargs={"min_value": 0},
        meta={"severity": outcome.severity},
        description=outcome.description or f"{outcome.table} exists and can be read",
    )
    result = ExpectationValidationResult(
        success=False,
        expectation_config=config,
        result={},
        exception_info={
            "raised_exception": True,
            "exception_message": outcome.error or "",
            "exception_traceback": outcome.error or "",
        },
    )
    return ExpectationSuiteValidationResult(
        success=False,
        results=[result],
        suite_name=outcome.suite,
        statistics={
            "evaluated_expectations": 1,
            "successful_expectations": 0,
            "unsuccessful_expectations": 1,
            "success_percent": 0.0,
        },
        meta={},
    )


def _prune(context, keep_runs: int) -> None:
    """Drop the results of all but the newest ``keep_runs`` runs from the store."""
    store = context.validation_results_store
    keys = store.list_keys()
    runs = sorted({(k.run_id.run_time, k.run_id.run_name) for k in keys}, reverse=True)
    dropped = set(runs[max(keep_runs, 1) :])
    for key in keys:
        if (key.run_id.run_time, key.run_id.run_name) in dropped:
            store.remove_key(key)


def _remove_empty_folders(root: Path) -> None:
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
