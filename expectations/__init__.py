"""Great Expectations checks on every load: suites for raw documents and the marts.

Usage (after ``dbt build``)::

    from expectations import run_checks, assert_publishable
    report = run_checks(build_db)   # CheckReport
    print(report.summary())
    assert_publishable(report)      # raises ChecksFailed on a critical failure
"""

from expectations.runner import (
    CheckReport,
    ChecksFailed,
    ExpectationOutcome,
    assert_publishable,
    run_checks,
)
from expectations.suites import CRITICAL, SUITES, WARNING, TableSuite

__all__ = [
    "CRITICAL",
    "SUITES",
    "WARNING",
    "CheckReport",
    "ChecksFailed",
    "ExpectationOutcome",
    "TableSuite",
    "assert_publishable",
    "run_checks",
]
