"""Run the suites against a build DuckDB file or build DuckLake and decide whether it may be published.

``run_checks(build_db)`` reads each suite's table into pandas through a
read-only connection from ``ingest.storage`` (closed before validating), validates it with an
ephemeral GX context and returns a ``CheckReport``. ``assert_publishable``
raises ``ChecksFailed`` when a critical expectation failed, listing the
failed expectations and example rows. ``CheckReport.to_records`` gives the
rows of ``audit.validation_results``; ``expectations.data_docs.build_data_docs``
renders the report as Data Docs HTML.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from expectations.suites import (
    CRITICAL,
    SCOPE_DOCUMENTS,
    SQL_FUNCTIONS,
    SUITES,
    WARNING,
    TableSuite,
    table_exists,
)

MAX_EXAMPLES = 5
MAX_VALUE_CHARS = 80

# The columns of audit.validation_results (ingest/pipeline.py AUDIT_DDL), in order.
AUDIT_COLUMNS = (
    "run_id", "validated_at", "suite", "table_name", "expectation", "column_name", "severity",
    "success", "unexpected_count", "examples", "pipeline_run_id",
)  # fmt: skip


@dataclass(frozen=True)
class ExpectationOutcome:
    """The result of one expectation on one table."""

    suite: str
    table: str
    expectation_type: str
    column: str | None
    severity: str
    success: bool
    description: str | None = None
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_values: list[Any] = field(default_factory=list)
    examples: list[dict[str, Any]] = field(
        default_factory=list
    )  # id columns + the value
    error: str | None = None  # the expectation could not be evaluated

    def line(self) -> str:
        state = "ok" if self.success else "FAILED"
        text = f"[{self.severity}] {state} {self.table}: {self.expectation_type}"
        if self.column:
            text += f"({self.column})"
        if self.description:
            text += f" - {self.description}"
        if not self.success:
            if self.unexpected_count is not None:
                text += (
                    f"; {self.unexpected_count} of {self.element_count} rows unexpected"
                )
            if self.error:
                text += f"; error: {self.error}"
            for row in self.examples:
                text += f"\n      row: {row}"
        return text


@dataclass
class CheckReport:
    """All expectation outcomes of one run of the checks."""

    build_db: Path
    checked_at: datetime
    results: list[ExpectationOutcome]
    # The GX ExpectationSuiteValidationResult of each suite that could be read
    # (checked in passes: its first pass, and each later pass that failed), for
    # Data Docs (expectations.data_docs.build_data_docs).
    validations: list[Any] = field(default_factory=list, repr=False, compare=False)

    @property
    def success(self) -> bool:
        """False iff a critical expectation failed."""
        return not self.failed_critical

    @property
    def failed_critical(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success and r.severity == CRITICAL]

    @property
    def failed_warnings(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success and r.severity != CRITICAL]

    def failed(self, table: str | None = None) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success and table in (None, r.table)]

    def summary(self) -> str:
        passed = sum(r.success for r in self.results)
        head = (
            f"Data checks {'passed' if self.success else 'FAILED'}: {passed}/{len(self.results)} "
            f"expectations met, {len(self.failed_critical)} critical and "
            f"{len(self.failed_warnings)} warning failures ({self.build_db.name}, "
            f"{self.checked_at:%Y-%m-%d %H:%M:%S} UTC)"
        )
        lines = [head]
        for table in dict.fromkeys(r.table for r in self.results):
            rows = [r for r in self.results if r.table == table]
            ok = sum(r.success for r in rows)
            lines.append(f"  {table}: {ok}/{len(rows)} met")
            lines.extend("    " + r.line() for r in rows if not r.success)
        return "\n".join(lines)

    def to_records(
        self, run_id: str | None = None, pipeline_run_id: str | None = None
    ) -> list[dict[str, Any]]:
        """One dict per expectation, keyed by ``AUDIT_COLUMNS`` (audit.validation_results).

        ``examples`` is JSON: the failing rows (id columns and value), else the
        unexpected values, else the error of an expectation that could not be
        evaluated; "[]" for a success.
        """
        records = []
        for r in self.results:
            examples: list[Any] = r.examples or r.unexpected_values
            if r.error and not examples:
                examples = [{"error": r.error}]
            records.append(
                {
                    "run_id": run_id,
                    "validated_at": self.checked_at,
                    "suite": r.suite,
                    "table_name": r.table,
                    "expectation": r.expectation_type,
                    "column_name": r.column,
                    "severity": r.severity,
                    "success": r.success,
                    "unexpected_count": r.unexpected_count,
                    "examples": json.dumps(examples, ensure_ascii=False, default=str),
                    "pipeline_run_id": pipeline_run_id,
                }
            )
        return records


class ChecksFailed(Exception):
    """A critical expectation failed: the build must not be published."""

    def __init__(self, report: CheckReport):
        self.report = report
        lines = [
            f"{len(report.failed_critical)} critical expectation(s) failed; not publishing:"
        ]
        lines.extend("  " + r.line() for r in report.failed_critical)
        super().__init__("\n".join(lines))


def assert_publishable(report: CheckReport) -> None:
    """Raise ChecksFailed if any critical expectation failed."""
    if not report.success:
        raise ChecksFailed(report)


@dataclass(frozen=True)
class CheckScope:
    """What a scoped run checks: these documents and these ingest runs.

    Suites whose ``scope`` is "document_id" read only the rows of
    ``document_ids``, "run_id" suites only the rows of ``run_ids``; aggregate
    suites (scope None) always read the whole warehouse.
    """

    document_ids: Sequence[str]
    run_ids: Sequence[str]


# Documents validated per pass: bounds the rows held in pandas at once (a
# document has ~10 mentions), so memory does not grow with the warehouse.
CHUNK_DOCUMENTS = 10_000


def run_checks(
    build_db: str | Path,
    *,
    today: date | None = None,
    suites: tuple[TableSuite, ...] = SUITES,
    scope: CheckScope | None = None,
    chunk_documents: int = CHUNK_DOCUMENTS,
) -> CheckReport:
    """Validate the raw layer and the marts of ``build_db`` with every suite.

    Without ``scope`` every row is checked; with it, only the scope's documents
    and ingest runs (the new batch) plus the whole-warehouse aggregates. The
    documents are validated in passes of ``chunk_documents``; the outcomes of
    the passes are merged into one per expectation.
    """
    from ingest import storage

    build_db = Path(build_db)
    if not storage.exists(build_db):
        raise FileNotFoundError(f"build database not found: {build_db}")
    today = today or date.today()
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    if scope is None:
        passes: list[tuple[Sequence[str] | None, Sequence[str] | None]] = [(None, None)]
    else:
        ids = list(scope.document_ids)
        passes = [(ids[i : i + chunk_documents], scope.run_ids) for i in range(0, len(ids), chunk_documents)]
        passes = passes or [([], scope.run_ids)]

    merged: dict[str, list[ExpectationOutcome]] = {}
    validations: list[Any] = []
    for number, (document_ids, run_ids) in enumerate(passes):
        # Only the first pass reads the suites that do not depend on the documents.
        chosen = tuple(s for s in suites if number == 0 or s.scope == "document_id")
        if scope is not None:  # a suite with nothing new in its scope has nothing to check
            empty = {"document_id": not document_ids, "run_id": not run_ids}
            chosen = tuple(s for s in chosen if not empty.get(s.scope, False))
        frames, read_errors = _read_frames(build_db, chosen, document_ids, run_ids)
        context = _ephemeral_context()  # one per pass: a context holds each suite name once
        for suite in chosen:
            if suite.name in read_errors:
                # A missing or unreadable table fails closed.
                merged[suite.name] = [_unreadable(suite, read_errors[suite.name])]
                continue
            if suite.name not in frames:
                continue  # an optional table that does not exist
            validation = _validate(context, suite, frames.pop(suite.name), today)
            outcomes = [_outcome(suite, r) for r in validation.results]
            if len(passes) > 1 and suite.scope == "document_id":
                validation.meta = {**(validation.meta or {}), "pass": {"number": number + 1, "of": len(passes)}}
            if suite.name in merged:
                merged[suite.name] = [_merge(a, b) for a, b in zip(merged[suite.name], outcomes, strict=True)]
                if not validation.success:
                    # A failure in a later pass gets its own Data Docs page: each page shows
                    # one pass's documents, and the first pass's page would show it passed.
                    validations.append(validation)
            else:
                merged[suite.name] = outcomes
                validations.append(validation)
    results = [outcome for suite in suites for outcome in merged.get(suite.name, [])]
    return CheckReport(build_db=build_db, checked_at=checked_at, results=results, validations=validations)


def _read_frames(
    build_db: Path,
    suites: tuple[TableSuite, ...],
    document_ids: Sequence[str] | None,
    run_ids: Sequence[str] | None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Read each suite's rows (only the scope's, when given) and close: the file
    stays locked only for the reads."""
    import duckdb

    from ingest import storage

    frames: dict[str, Any] = {}
    read_errors: dict[str, str] = {}
    con = storage.connect(build_db, read_only=True)
    try:
        for name, (function, parameters, returns) in SQL_FUNCTIONS.items():
            con.create_function(name, function, parameters, returns)
        _create_scope_documents(con, document_ids)
        in_scope = {"document_id": document_ids, "run_id": run_ids}
        for suite in suites:
            try:
                if suite.optional and not table_exists(con, suite.table):
                    continue
                query = suite.query(con) if callable(suite.query) else suite.query
                values = in_scope.get(suite.scope) if suite.scope else None
                if values is None:
                    frames[suite.name] = con.sql(query).df()
                else:
                    frames[suite.name] = con.execute(
                        f"select * from ({query}) as suite_rows where {suite.scope} in (select unnest(?))",
                        [list(values)],
                    ).df()
            except duckdb.Error as exc:
                read_errors[suite.name] = f"{type(exc).__name__}: {exc}"
    finally:
        con.close()
    return frames, read_errors


def _create_scope_documents(con, document_ids: Sequence[str] | None) -> None:
    """The temporary table of the documents this pass checks (``SCOPE_DOCUMENTS``)."""
    import duckdb

    if document_ids is not None:
        con.execute(
            f"create or replace temp table {SCOPE_DOCUMENTS} as select unnest(?::varchar[]) as document_id",
            [list(document_ids)],
        )
        return
    # Unscoped, every document: also those extracted but missing from
    # raw.documents, whose mentions the mention suites report as orphans.
    con.execute(f"create or replace temp table {SCOPE_DOCUMENTS} (document_id varchar)")
    for table in ("raw.documents", "raw.extractions"):
        try:
            con.execute(
                f"insert into {SCOPE_DOCUMENTS} select document_id from {table} "
                f"except select document_id from {SCOPE_DOCUMENTS}"
            )
        except duckdb.Error:  # an unreadable table: its suite reports that itself
            pass


def _unreadable(suite: TableSuite, error: str) -> ExpectationOutcome:
    return ExpectationOutcome(
        suite=suite.name,
        table=suite.table,
        expectation_type="table_is_readable",
        column=None,
        severity=CRITICAL,
        success=False,
        description=f"{suite.table} exists and can be read",
        error=error,
    )


def _merge(first: ExpectationOutcome, second: ExpectationOutcome) -> ExpectationOutcome:
    """One outcome for an expectation validated in two passes over different documents."""

    def total(a: int | None, b: int | None) -> int | None:
        return None if a is None and b is None else (a or 0) + (b or 0)

    return replace(
        first,
        success=first.success and second.success,
        element_count=total(first.element_count, second.element_count),
        unexpected_count=total(first.unexpected_count, second.unexpected_count),
        unexpected_values=(first.unexpected_values + second.unexpected_values)[:MAX_EXAMPLES],
        examples=(first.examples + second.examples)[:MAX_EXAMPLES],
        error=first.error or second.error,
    )


def _ephemeral_context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _validate(context, suite: TableSuite, df, today: date):
    """Validate ``df`` with ``suite``; the GX ExpectationSuiteValidationResult."""
    import great_expectations as gx

    source = context.data_sources.add_or_update_pandas(name="build_db")
    asset = source.add_dataframe_asset(name=suite.name)
    batch = asset.add_batch_definition_whole_dataframe("whole_table").get_batch(
        batch_parameters={"dataframe": df}
    )
    # Built whole, then added once: add_expectation on a saved suite saves it again each time.
    gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name, expectations=suite.expectations(today)))
    id_columns = [c for c in suite.id_columns if c in df.columns]
    validation = batch.validate(
        gx_suite,
        result_format={
            "result_format": "SUMMARY",
            "partial_unexpected_count": MAX_EXAMPLES,
            "unexpected_index_column_names": id_columns,
        },
    )
    return validation


def _outcome(suite: TableSuite, r) -> ExpectationOutcome:
    config = r.expectation_config
    kwargs = config.kwargs
    column = kwargs.get("column") or (
        f"{kwargs['column_A']}, {kwargs['column_B']}" if "column_A" in kwargs else None
    )
    result = r.result or {}
    info = r.exception_info or {}
    error = None
    if isinstance(info, dict) and info.get("raised_exception"):
        error = info.get("exception_message")
    elif isinstance(info, dict):  # GX keys exceptions by metric when several are raised
        messages = [
            v.get("exception_message") for v in info.values() if isinstance(v, dict)
        ]
        error = "; ".join(m for m in messages if m) or None
    examples = [
        {k: _plain(v) for k, v in row.items()}
        for row in (result.get("partial_unexpected_index_list") or [])[:MAX_EXAMPLES]
    ]
    return ExpectationOutcome(
        suite=suite.name,
        table=suite.table,
        expectation_type=config.type,
        column=column,
        severity=(config.meta or {}).get("severity", WARNING),
        success=bool(r.success) and error is None,
        description=config.description,
        element_count=result.get("element_count"),
        unexpected_count=result.get("unexpected_count"),
        unexpected_values=[
            _plain(v) for v in (result.get("partial_unexpected_list") or [])
        ],
        examples=examples,
        error=error,
    )


def _plain(value: Any) -> Any:
    """JSON-friendly, short: NaN/NaT -> None, timestamps -> ISO text, long text cut."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    if isinstance(value, (tuple, list)):  # a column pair's values
        return [_plain(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    if text in ("NaT", "nan", "<NA>"):
        return None
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"
