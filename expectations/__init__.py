"""Great Expectations checks on every load: suites for raw documents and the marts.

Usage (after ``dbt build``)::

    from expectations import run_checks, assert_publishable
    report = run_checks(build_db)   # CheckReport; scope=CheckScope(...) checks only a new batch
    print(report.summary())
    assert_publishable(report)      # raises ChecksFailed on a critical failure
    report.to_records(run_id, pipeline_run_id)   # rows of audit.validation_results
    build_data_docs(report, out_dir, run_name=run_id)  # -> out_dir/index.html
"""

from expectations.data_docs import build_data_docs
from expectations.mojibake import mojibake_share
from expectations.runner import (
    AUDIT_COLUMNS,
    CheckReport,
    CheckScope,
    ChecksFailed,
    ExpectationOutcome,
    assert_publishable,
    run_checks,
)
from expectations.suites import CRITICAL, SUITES, WARNING, TableSuite

__all__ = [
    "AUDIT_COLUMNS",
    "CRITICAL",
    "SUITES",
    "WARNING",
    "CheckReport",
    "CheckScope",
    "ChecksFailed",
    "ExpectationOutcome",
    "TableSuite",
    "assert_publishable",
    "build_data_docs",
    "mojibake_share",
    "run_checks",
]
