"""dbt-duckdb plugin for the ``lake`` target (dbt_project/profiles.yml): DuckLake without downloads.

dbt-duckdb configures plugins before it runs the profile's ``attach``, so the
extension files the ``duckdb-extension-*`` packages installed are loaded
here and the attach of ``ducklake:...`` then finds them; automatic installs
are off on the connection, as in ``ingest.storage``. Every cursor then
``USE``s the lake: the project renders ref() and source() without a
database (macros/portable_relations.sql), so ``"raw"."documents"`` must
resolve inside the lake rather than in the in-memory database dbt opened.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from ingest import storage


class Plugin(BasePlugin):
    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        config.update(storage.NO_DOWNLOADS)

    def configure_connection(self, conn) -> None:
        storage.load_extensions(conn)

    def configure_cursor(self, cursor) -> None:
        database = getattr(self.creds, "database", None)
        if database and database != "memory":
            cursor.execute('USE "' + database.replace('"', '""') + '"')
