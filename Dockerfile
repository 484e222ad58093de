# Image for every Airflow service of docker-compose.yml (see docs/deployment.md).
#
# Target "runtime" (used by docker-compose.yml): the official Airflow image plus
# our pinned dependencies. The project's code (dags/, ingest/, expectations/,
# dbt_project/, corpus/) is bind-mounted by compose, so editing code needs no
# rebuild; only a change to requirements.lock does.
#
# Target "bundle" (the default for a plain `docker build .`): the same image with
# the code copied in at the paths compose mounts it to, for hosts that have no
# checkout (push it to a registry and run workers from it elsewhere).
#
# The Airflow version in the tag must equal the apache-airflow pin in
# requirements.lock, and the Python tag the lock's 3.11 (tests/test_compose.py).
FROM apache/airflow:3.3.2-python3.11 AS runtime

USER airflow
COPY --chown=airflow:0 requirements.lock /tmp/requirements.lock

# How the lock is installed, and why not `--no-deps`:
# - The lock is a complete `uv pip compile` resolution (every transitive pin,
#   apache-airflow==3.3.2 included), so nothing outside it can be pulled in.
# - "apache-airflow==${AIRFLOW_VERSION}" (set by the base image) is passed too,
#   as the Airflow image docs recommend: the image's own Airflow already
#   satisfies it, so it is kept, never upgraded, downgraded or reinstalled.
# - Two things the compose needs come from the base image, not the lock: the FAB
#   auth manager (admin user for the UI) and psycopg2 (postgresql+psycopg2 URL).
#   Naming them here lets the resolver keep the installed versions if they fit
#   the lock's pins (e.g. SQLAlchemy) and swap them if not. With --no-deps the
#   lock would overwrite shared pins without checking these, and a mismatch
#   would only show when the api-server fails to start.
RUN uv pip install --no-cache --compile-bytecode \
        "apache-airflow==${AIRFLOW_VERSION}" \
        apache-airflow-providers-fab \
        psycopg2-binary \
        -r /tmp/requirements.lock \
    && python -c "import duckdb, psycopg2, trafilatura, great_expectations, dbt.adapters.duckdb"

ENV PYTHONPATH=/opt/airflow/project \
    POLICY_CORPUS_DIR=/opt/airflow/project/corpus/sample \
    POLICY_WAREHOUSE=/opt/airflow/warehouse/policy.duckdb


FROM runtime AS bundle

COPY --chown=airflow:0 dags/ /opt/airflow/dags/
COPY --chown=airflow:0 ingest/ /opt/airflow/project/ingest/
COPY --chown=airflow:0 expectations/ /opt/airflow/project/expectations/
COPY --chown=airflow:0 dbt_project/ /opt/airflow/project/dbt_project/
COPY --chown=airflow:0 corpus/ /opt/airflow/project/corpus/
