"""Where the warehouse lives: a DuckDB file, or a DuckLake; the one place connections are opened.

The warehouse location is a path. One ending in ``.ducklake`` selects DuckLake
(catalog metadata in a database, data as Parquet files); any other path is a
plain DuckDB file, opened as it always was.

DuckLake settings come from the environment:

``POLICY_DUCKLAKE_CATALOG``
    unset: the catalog is a local DuckDB file at the path itself (one machine).
    ``postgres:<libpq conninfo>`` (e.g. ``postgres:dbname=policy_lake
    host=db user=policy``): the catalog is in that Postgres database, each
    lake in its own schema named after the path's stem (``policy.ducklake``
    -> ``policy``, ``policy.build.ducklake`` -> ``policy_build``), so several
    machines can share it. Passwords go in ``PGPASSWORD`` / ``~/.pgpass``,
    not in the conninfo.
``POLICY_DUCKLAKE_DATA_PATH``
    the folder that holds each lake's Parquet folder ``<name>.files/``;
    default: the folder of the path. With a Postgres catalog it must be
    storage every machine mounts at the same path.

A lake is opened from an in-memory DuckDB: the ducklake (and, for a Postgres
catalog, postgres_scanner) extension is loaded from the files the
``duckdb-extension-*`` packages install - never downloaded - then the lake is
attached and made the default database (``USE``), so ``raw.documents`` and
every other unqualified name work as on a file.
"""

from __future__ import annotations

import importlib.util
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

LAKE_SUFFIX = ".ducklake"
CATALOG_ENV = "POLICY_DUCKLAKE_CATALOG"
DATA_PATH_ENV = "POLICY_DUCKLAKE_DATA_PATH"
# Snapshots (and the Parquet files only they use) older than this are removed
# after each publish; until then a reader can time-travel back to them.
SNAPSHOT_RETENTION = "7 days"
ALIAS = "lake"  # the attached lake's name in connections opened here
LOCK_WAIT_SECONDS = 60  # how long a publish waits for readers of a local catalog to detach

_EXTENSION_PACKAGES = {
    "ducklake": "duckdb_extension_ducklake",
    # Not duckdb_extension_postgres: its file carries the wrong entry point.
    "postgres_scanner": "duckdb_extension_postgres_scanner",
}
# Never fetch an extension at run time: workers may have no network, and the
# versions must be the locked ones.
NO_DOWNLOADS = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
# DuckDB's buffer pool may otherwise grow to 80% of the machine's memory and
# keeps what it took; bounded, large sorts and joins spill to disk instead.
MEMORY_LIMIT_ENV = "POLICY_DUCKDB_MEMORY_LIMIT"


def duckdb_settings() -> dict[str, str]:
    """Settings every warehouse connection gets (dbt's profile reads the same variable)."""
    return {"memory_limit": os.environ.get(MEMORY_LIMIT_ENV, "512MB")}


def is_lake(location: str | Path) -> bool:
    return str(location).endswith(LAKE_SUFFIX)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Lake:
    """One DuckLake: its catalog, its metadata schema and its data folder."""

    location: Path  # the .ducklake path (the catalog file, for a local catalog)

    @property
    def postgres(self) -> str | None:
        """The libpq conninfo of a Postgres catalog, or None for a local one."""
        setting = os.environ.get(CATALOG_ENV, "").strip()
        if not setting:
            return None
        if not setting.startswith("postgres:"):
            raise ValueError(f"{CATALOG_ENV} must be empty or 'postgres:<libpq conninfo>', not {setting!r}")
        return setting.removeprefix("postgres:")

    @property
    def metadata_schema(self) -> str:
        """The catalog schema holding this lake's metadata tables ("main" in a local catalog file)."""
        if self.postgres is None:
            return "main"
        stem = self.location.name.removesuffix(LAKE_SUFFIX)
        name = re.sub(r"[^a-z0-9_]", "_", stem.lower())
        return name if re.match(r"[a-z_]", name) else "lake_" + name

    @property
    def attach_path(self) -> str:
        """The ``ducklake:...`` string ATTACH takes."""
        conninfo = self.postgres
        return f"ducklake:postgres:{conninfo}" if conninfo is not None else f"ducklake:{self.location}"

    @property
    def data_path(self) -> Path:
        root = os.environ.get(DATA_PATH_ENV)
        folder = Path(root).absolute() if root else self.location.parent
        return folder / (self.location.name + ".files")

    def attach_sql(self, alias: str = ALIAS, *, read_only: bool = False) -> str:
        options = [f"DATA_PATH {_literal(str(self.data_path) + os.sep)}"]
        if self.postgres is not None:
            options.append(f"METADATA_SCHEMA {_literal(self.metadata_schema)}")
        if read_only:
            options.append("READ_ONLY")
        return f"ATTACH {_literal(self.attach_path)} AS {alias} ({', '.join(options)})"


def lake(location: str | Path) -> Lake:
    if not is_lake(location):
        raise ValueError(f"not a DuckLake location (no {LAKE_SUFFIX} suffix): {location}")
    return Lake(Path(location).absolute())


def extension_file(name: str) -> Path:
    """The extension file a ``duckdb-extension-*`` package installed for this DuckDB version."""
    spec = importlib.util.find_spec(_EXTENSION_PACKAGES[name])
    if spec is None or spec.origin is None:
        raise ImportError(f"{_EXTENSION_PACKAGES[name]} is not installed (see requirements.lock)")
    path = Path(spec.origin).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        raise ImportError(f"no {name} extension for DuckDB {duckdb.__version__} at {path}")
    return path


def load_extensions(con: duckdb.DuckDBPyConnection, *, postgres: bool = True) -> None:
    """LOAD ducklake (and postgres_scanner) from their package files into ``con``."""
    for name in ("ducklake", "postgres_scanner") if postgres else ("ducklake",):
        con.execute(f"LOAD {_literal(str(extension_file(name)))}")


def attach(con: duckdb.DuckDBPyConnection, location: str | Path, alias: str = ALIAS, *, read_only: bool = False) -> Lake:
    """Attach the lake at ``location`` to ``con`` as ``alias``; a writable attach creates it when new."""
    spec = lake(location)
    if not read_only:
        spec.location.parent.mkdir(parents=True, exist_ok=True)
        spec.data_path.mkdir(parents=True, exist_ok=True)
    con.execute(spec.attach_sql(alias, read_only=read_only))
    if not read_only:
        # Data inlining (small inserts kept in the catalog) is on by default;
        # the data is meant to be Parquet files. Persisted, so it holds for
        # dbt's and any other writer's connections too.
        limit = con.execute(
            f"select value from {alias}.options() where option_name = 'data_inlining_row_limit'"
        ).fetchone()
        if limit is None or limit[0] != "0":
            con.execute(f"CALL {alias}.set_option('data_inlining_row_limit', 0)")
    return spec


def lake_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the DuckLake extensions loaded and downloads off."""
    con = duckdb.connect(config={**NO_DOWNLOADS, **duckdb_settings()})
    load_extensions(con, postgres=os.environ.get(CATALOG_ENV, "").strip() != "")
    return con


def connect(location: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a warehouse location: a DuckDB file as is, or a lake attached and USEd.

    A writable open creates what does not exist yet (the file, or the lake and
    its data folder); a read-only open of a missing location raises.
    """
    if not is_lake(location):
        path = Path(location)
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(path), read_only=read_only, config=duckdb_settings())
    con = lake_connection()
    try:
        attach(con, location, read_only=read_only)
        con.execute(f"USE {ALIAS}")
    except BaseException:
        con.close()
        raise
    return con


def exists(location: str | Path) -> bool:
    """Whether the warehouse at ``location`` has been created (by a first writable open)."""
    if not is_lake(location):
        return Path(location).exists()
    spec = lake(location)
    if spec.postgres is None:
        return spec.location.exists()
    # The lake exists once its metadata tables are in its schema.
    con = duckdb.connect(config=dict(NO_DOWNLOADS))
    try:
        load_extensions(con)
        con.execute(f"ATTACH {_literal(spec.postgres)} AS catalog_db (TYPE postgres, READ_ONLY)")
        query = f"select to_regclass({_literal(spec.metadata_schema + '.ducklake_snapshot')}) is not null"
        return bool(con.execute("select * from postgres_query('catalog_db', ?)", [query]).fetchone()[0])
    finally:
        con.close()


def how_to_open(location: str | Path) -> str:
    """How an analyst opens the published warehouse read-only with the DuckDB CLI."""
    if not is_lake(location):
        return f"duckdb -readonly {location}"
    attach = lake(location).attach_sql("policy", read_only=True)
    return f'duckdb -cmd "{attach}; USE policy"'


def table_names(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    """(schema, table) of every base table of an attached database, views excluded."""
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? and not internal "
        "order by 1, 2",
        [database],
    ).fetchall()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _attach_when_unlocked(con: duckdb.DuckDBPyConnection, location: str | Path, alias: str) -> None:
    """Attach writable, waiting up to ``LOCK_WAIT_SECONDS`` for readers of a local catalog to let go.

    A local catalog is a DuckDB file: while any process has the lake attached,
    even read-only, no other process can attach it writable. (A Postgres
    catalog has no such lock.)
    """
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            attach(con, location, alias)
            return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise duckdb.IOException(
                    f"{exc}\nAnother process has the lake {location} attached. With a local catalog "
                    "readers must detach before a publish; use a Postgres catalog "
                    f"({CATALOG_ENV}) for readers that stay attached."
                ) from exc
            time.sleep(1)


def publish_lake(build: str | Path, published: str | Path) -> int:
    """Copy every table of the build lake into the published lake in one transaction; returns the count.

    One transaction is one DuckLake snapshot: a reader of the published lake
    sees the previous state or the new one, never a mix. Tables the build no
    longer has are dropped. Views (dbt's staging and intermediate layers) are
    not copied: the published lake holds tables only. Afterwards snapshots
    older than ``SNAPSHOT_RETENTION`` are expired in both lakes and their
    unused files deleted.
    """
    con = lake_connection()
    try:
        attach(con, build, "build_lake", read_only=True)
        _attach_when_unlocked(con, published, "published_lake")
        tables = table_names(con, "build_lake")
        stale = set(table_names(con, "published_lake")) - set(tables)
        con.execute("BEGIN")
        for schema in sorted({s for s, _ in tables}):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS published_lake.{_quoted(schema)}")
        for schema, table in tables:
            name = f"{_quoted(schema)}.{_quoted(table)}"
            con.execute(f"CREATE OR REPLACE TABLE published_lake.{name} AS SELECT * FROM build_lake.{name}")
        for schema, table in sorted(stale):
            con.execute(f"DROP TABLE published_lake.{_quoted(schema)}.{_quoted(table)}")
        con.execute("COMMIT")
        con.execute("DETACH build_lake")
        attach(con, build, "build_lake")
        for alias in ("published_lake", "build_lake"):
            con.execute(
                f"CALL ducklake_expire_snapshots('{alias}', older_than => now() - INTERVAL '{SNAPSHOT_RETENTION}')"
            )
            # Only files no remaining snapshot uses are scheduled, so deleting
            # them all at once keeps every state of the retention window.
            con.execute(f"CALL ducklake_cleanup_old_files('{alias}', cleanup_all => true)")
        return len(tables)
    finally:
        con.close()
