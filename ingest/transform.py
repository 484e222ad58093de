"""Build the dbt project (staging -> marts) inside a build DuckDB file or build DuckLake.

``run_dbt_build(build_db)`` runs ``dbt build`` (models and their data tests)
in-process through dbt's programmatic API, from any working directory, and
returns what happened per node. A failed model or test raises
``DbtBuildError``, whose message names the failed nodes and, for failed
tests, a few of the offending rows read back from the build file.

dbt-core allows one invocation per process at a time (it keeps global state),
so do not call this from two threads at once. No other connection to
``build_db`` may be open while it runs (DuckDB allows one writer); the file is
released again when this returns. A ``.ducklake`` build (``ingest.storage``)
is built through the profile's ``lake`` target, which attaches it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ingest import storage

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
BUILD_DB_ENV = "POLICY_BUILD_DB"  # read by dbt_project/profiles.yml
LOG_LEVEL_ENV = "POLICY_DBT_LOG_LEVEL_FILE"  # dbt's file log level for builds (default info; debug for every statement)
# Read by the profile's `lake` target: the ATTACH path, data path and metadata schema.
LAKE_ENV = ("POLICY_DBT_LAKE", "POLICY_DBT_LAKE_DATA_PATH", "POLICY_DBT_LAKE_METADATA_SCHEMA")
FAILED_STATUSES = frozenset({"error", "fail", "runtime error", "partial success"})
MAX_EXAMPLES = 5
MAX_VALUE_CHARS = 80
RUN_RESULTS = "run_results.json"  # dbt's artifact of the build, in its target path
# What dbt wrote there before builds ran with --no-write-json.
STALE_ARTIFACTS = ("manifest.json", "semantic_manifest.json", "graph.gpickle")


@dataclass(frozen=True)
class DbtNodeResult:
    """One executed dbt node (model, test, ...) and its outcome."""

    unique_id: str
    name: str
    resource_type: str
    status: str
    message: str | None = None
    failures: int | None = None
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES


@dataclass
class DbtBuildResult:
    """What ``dbt build`` did: overall success, failed nodes and readable messages."""

    success: bool
    failed_nodes: list[str]
    messages: list[str]
    nodes: list[DbtNodeResult]
    elapsed_seconds: float
    target_path: Path
    log_path: Path

    @property
    def warnings(self) -> list[DbtNodeResult]:
        return [n for n in self.nodes if n.status == "warn"]

    def node(self, name: str) -> DbtNodeResult:
        """The result of the node with this name or unique_id."""
        for n in self.nodes:
            if name in (n.name, n.unique_id):
                return n
        raise KeyError(name)

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for n in self.nodes:
            counts[n.status] = counts.get(n.status, 0) + 1
        status = "succeeded" if self.success else "FAILED"
        head = f"dbt build {status} in {self.elapsed_seconds:.1f}s: " + ", ".join(
            f"{k}={v}" for k, v in sorted(counts.items())
        )
        return "\n".join([head, *self.messages])


class DbtBuildError(RuntimeError):
    """dbt build failed; ``.result`` holds the full DbtBuildResult."""

    def __init__(self, result: DbtBuildResult):
        self.result = result
        super().__init__(result.summary())


def dbt_folder(build_db: str | Path) -> Path:
    """Where dbt writes for this build file: ``target/`` (artifacts, the saved
    parse) and ``logs/``, beside it. dbt keys its saved parse to the profile,
    which holds the build file's path, so one folder per build file keeps the
    parse of each warehouse valid; one shared folder would be parsed anew
    whenever another warehouse was built, and written by two builds at once."""
    build_db = Path(build_db).resolve()
    return build_db.with_name(build_db.name + ".dbt")


def _invoke_dbt(args: list[str], build_db: Path):
    """Run dbt in-process against ``build_db`` (profiles.yml reads it from the
    environment), then release dbt-duckdb's cached handle so the file is not left locked."""
    from dbt.cli.main import dbtRunner  # imported late: dbt is slow to import

    if storage.is_lake(build_db):
        lake = storage.lake(build_db)
        settings = dict(zip(LAKE_ENV, (lake.attach_path, str(lake.data_path), lake.metadata_schema), strict=True))
        args = [*args, "--target", "lake"]
    else:
        settings = {BUILD_DB_ENV: str(build_db)}
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        return dbtRunner().invoke(args)
    finally:
        _release_duckdb()
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_dbt_build(
    build_db: str | Path,
    *,
    target_path: str | Path | None = None,
    log_path: str | Path | None = None,
    select: str | None = None,
    exclude: str | None = None,
    dbt_vars: dict[str, Any] | None = None,
    full_refresh: bool = False,
    raise_on_failure: bool = True,
) -> DbtBuildResult:
    """Run ``dbt build`` against ``build_db``; raise DbtBuildError if anything failed.

    target_path/log_path default to ``target`` and ``logs`` in a folder beside
    the build file (``dbt_folder``), so the project folder may be read-only and
    each warehouse keeps its own saved parse.
    ``select``, ``exclude``, ``dbt_vars`` and ``full_refresh`` map to ``--select``,
    ``--exclude``, ``--vars`` and ``--full-refresh`` (incremental models rebuilt
    from scratch).
    """
    build_db = Path(build_db).resolve()
    if not storage.exists(build_db):
        # dbt-duckdb would silently create an empty file and fail on sources.
        raise FileNotFoundError(f"build database not found: {build_db}")
    target_path = Path(target_path or dbt_folder(build_db) / "target").resolve()
    log_path = Path(log_path or dbt_folder(build_db) / "logs").resolve()

    args = [
        "build",
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target_path),
        "--log-path", str(log_path),
        "--no-use-colors",
        # dbt would write the whole project's manifest.json twice per build (after
        # parsing and after running), about 0.4 s of a daily build; the run's
        # results are written below, the manifest by `dbt docs generate`.
        "--no-write-json",
        # Every SQL statement at debug level cost a tenth of the node time; the
        # compiled SQL is kept in target/compiled and target/run.
        "--log-level-file", os.environ.get(LOG_LEVEL_ENV, "info"),
    ]  # fmt: skip
    if select:
        args += ["--select", select]
    if exclude:
        args += ["--exclude", exclude]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    if full_refresh:
        args.append("--full-refresh")

    started = time.monotonic()
    res = _invoke_dbt(args, build_db)
    elapsed = time.monotonic() - started

    nodes = _node_results(res.result)
    messages: list[str] = []
    try:
        _write_run_results(res.result, target_path)
    except OSError as exc:  # the build's outcome stands; only its record is missing
        messages.append(f"warning: {RUN_RESULTS} not written: {exc}")
    if res.exception is not None:
        messages.append(
            f"dbt did not run: {type(res.exception).__name__}: {res.exception}"
        )
    failed = [n for n in nodes if n.failed]
    if failed:
        executed = _executed_nodes(res.result)
        failed = [_with_examples(n, build_db, executed) for n in failed]
        by_id = {n.unique_id: n for n in failed}
        nodes = [by_id.get(n.unique_id, n) for n in nodes]
        messages.extend(_describe(n) for n in failed)
    skipped = [n.name for n in nodes if n.status == "skipped"]
    if skipped:
        messages.append(f"skipped after an upstream failure: {', '.join(skipped)}")
    messages.extend(f"warning: {_describe(n)}" for n in nodes if n.status == "warn")

    result = DbtBuildResult(
        success=bool(res.success) and not failed and res.exception is None,
        failed_nodes=[n.name for n in failed],
        messages=messages,
        nodes=nodes,
        elapsed_seconds=elapsed,
        target_path=target_path,
        log_path=log_path,
    )
    if not result.success and not messages:
        result.messages.append(
            "dbt build reported failure without node results; see " + str(log_path)
        )
    if raise_on_failure and not result.success:
        raise DbtBuildError(result)
    return result


def _release_duckdb() -> None:
    """Close dbt-duckdb's cached database handle so the file is not left locked."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - adapter always installed with the project
        return
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None:
            try:
                env.close()
            finally:
                DuckDBConnectionManager._ENV = None


def _node_results(run_result: Any) -> list[DbtNodeResult]:
    results = getattr(run_result, "results", None) or []
    nodes = []
    for r in results:
        node = r.node
        status = getattr(r.status, "value", str(r.status))
        nodes.append(
            DbtNodeResult(
                unique_id=node.unique_id,
                name=node.name,
                resource_type=str(
                    getattr(node.resource_type, "value", node.resource_type)
                ),
                status=status,
                message=r.message,
                failures=r.failures,
            )
        )
    return nodes


def _write_run_results(run_result: Any, target_path: Path) -> None:
    """dbt's run_results.json of the build; and no manifest of an earlier build
    left beside it, which builds no longer update (``--no-write-json``)."""
    for stale in STALE_ARTIFACTS:
        (target_path / stale).unlink(missing_ok=True)
    if hasattr(run_result, "write"):
        run_result.write(str(target_path / RUN_RESULTS))


def _executed_nodes(run_result: Any) -> dict[str, dict]:
    """The compiled nodes the build ran, by unique_id, as manifest entries. A
    test's model that the build did not run is missing: its failing rows are
    then shown as the test's query returns them, not as whole model rows."""
    results = getattr(run_result, "results", None) or []
    return {r.node.unique_id: r.node.to_dict(omit_none=True) for r in results}


# How DuckDB reports a row that breaks a model contract's not_null constraint.
NOT_NULL_VIOLATION = re.compile(r"NOT NULL constraint failed: [^\s.]+\.(\S+)")


def _with_examples(n: DbtNodeResult, build_db: Path, executed: dict[str, dict]) -> DbtNodeResult:
    """Attach a few offending rows to a failed data test, or to a model whose
    contract's not_null constraint failed (best effort)."""
    node = executed.get(n.unique_id) or {}
    compiled = node.get("compiled_code")
    violation = NOT_NULL_VIOLATION.search(n.message or "") if n.resource_type == "model" else None
    if not compiled or (n.resource_type != "test" and not violation):
        return n
    try:
        if violation:
            examples = _rows_with_null(build_db, compiled, violation.group(1))
        else:
            examples = _failing_rows(build_db, node, compiled, executed)
    except Exception as exc:  # noqa: BLE001 (diagnostics must never hide the failure itself)
        examples = [{"error": f"could not read failing rows: {exc}"}]
    return replace(n, examples=examples)


def _failing_rows(
    build_db: Path, test: dict, compiled: str, executed: dict[str, dict]
) -> list[dict]:
    con = storage.connect(build_db, read_only=True)
    try:
        failing = _dicts(con.execute(f"select * from ({compiled}) as failing limit {MAX_EXAMPLES}"))
        # For a column test, show the model's whole rows so their keys identify them.
        model = executed.get(test.get("attached_node") or "")
        column = test.get("column_name")
        test_name = (test.get("test_metadata") or {}).get("name")
        if (
            model
            and column
            and test_name in {"not_null", "unique", "accepted_values", "relationships"}
        ):
            relation = f'"{model["schema"]}"."{model.get("alias") or model["name"]}"'
            if test_name == "not_null":
                sql = _null_rows_sql(relation, column)
                params: list = []
            else:
                values = [next(iter(row.values())) for row in failing]
                sql = f"select * from {relation} where list_contains(?, {_quoted(column)}) limit {MAX_EXAMPLES}"
                params = [values]
            rows = _dicts(con.execute(sql, params))
            if rows:
                failing = rows
        return [{k: _short(v) for k, v in row.items()} for row in failing]
    finally:
        con.close()


def _rows_with_null(build_db: Path, compiled: str, column: str) -> list[dict]:
    """The rows of a model's query that leave ``column`` null."""
    con = storage.connect(build_db, read_only=True)
    try:
        rows = _dicts(con.execute(_null_rows_sql(f"({compiled}) as model_rows", column)))
        return [{k: _short(v) for k, v in row.items()} for row in rows]
    finally:
        con.close()


def _null_rows_sql(source: str, column: str) -> str:
    return f"select * from {source} where {_quoted(column)} is null limit {MAX_EXAMPLES}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _dicts(cursor) -> list[dict]:
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def _short(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _describe(n: DbtNodeResult) -> str:
    text = f"{n.resource_type} {n.name} {n.status}"
    if n.failures:
        text += f" ({n.failures} failing)"
    if n.message:
        text += f": {n.message.strip()}"
    for row in n.examples:
        text += f"\n    row: {row}"
    return text


def generate_dbt_docs(
    build_db: str | Path,
    out_dir: str | Path,
    *,
    log_path: str | Path | None = None,
    build_target_path: str | Path | None = None,
) -> Path:
    """Run ``dbt docs generate --static`` against ``build_db``; return ``out_dir``.

    ``out_dir`` receives manifest.json, catalog.json (the columns and types of
    every relation the build file holds: marts, seeds, views) and
    static_index.html, a single self-contained page of the project's docs
    that opens from disk. Run it after ``run_dbt_build`` on the same file
    (the catalog reads the built relations). The build's saved parse in
    ``build_target_path`` (default: the build's, see ``dbt_folder``) is reused, so the
    project is not parsed again. Raises RuntimeError on failure.
    """
    build_db = Path(build_db).resolve()
    if not storage.exists(build_db):
        raise FileNotFoundError(f"build database not found: {build_db}")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    log_path = Path(log_path or dbt_folder(build_db) / "logs").resolve()
    # A full parse costs seconds; dbt checks the saved one against the project
    # and profile and parses again by itself if either changed.
    saved_parse = Path(build_target_path or dbt_folder(build_db) / "target") / "partial_parse.msgpack"
    if saved_parse.is_file():
        shutil.copyfile(saved_parse, out_dir / saved_parse.name)
    args = [
        "docs", "generate", "--static",
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(out_dir),
        "--log-path", str(log_path),
        "--no-use-colors",
    ]  # fmt: skip
    res = _invoke_dbt(args, build_db)
    if not res.success or res.exception is not None:
        raise RuntimeError(f"dbt docs generate failed: {res.exception or 'see ' + str(log_path)}")
    return out_dir


# The packages whose versions decide what a build makes, beside the project's files.
BUILD_PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb", "duckdb-extension-ducklake")


def project_fingerprint() -> str:
    """A hash of everything that decides what dbt builds: models, macros, seeds,
    tests, the project file, and the versions of dbt, its adapter and DuckDB.
    A build made by another fingerprint must be rebuilt in full; one made by
    this fingerprint may be extended incrementally."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    for package in BUILD_PACKAGES:
        try:
            digest.update(f"{package}=={version(package)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{package} not installed\0".encode())
    files = [DBT_PROJECT_DIR / "dbt_project.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        files += sorted(p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file())
    for path in files:
        digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
