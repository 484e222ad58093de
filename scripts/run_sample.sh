#!/usr/bin/env bash
# Run the whole pipeline on the bundled sample corpus through Airflow
# (embedded: SQLite metadata in .airflow/, no servers), then print a summary.
#   CORPUS=path/to/folder WAREHOUSE=path/to/policy.duckdb bash scripts/run_sample.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
export POLICY_CORPUS_DIR=${CORPUS:-${POLICY_CORPUS_DIR:-$PWD/corpus/sample}}
export POLICY_WAREHOUSE=${WAREHOUSE:-${POLICY_WAREHOUSE:-$PWD/warehouse/policy.duckdb}}
# shellcheck source=scripts/airflow_env.sh
source scripts/airflow_env.sh
# shellcheck source=/dev/null
source .venv/bin/activate

airflow db migrate > "$AIRFLOW_HOME/db-migrate.log" 2>&1 \
  || { tail -n 30 "$AIRFLOW_HOME/db-migrate.log"; exit 1; }

conf=$(python -c 'import json, os; print(json.dumps({"corpus_dir": os.environ["POLICY_CORPUS_DIR"], "warehouse": os.environ["POLICY_WAREHOUSE"]}))')
log="$AIRFLOW_HOME/last-dag-run.log"
echo "Running DAG policy_pipeline on $POLICY_CORPUS_DIR (log: $log) ..."
if ! airflow dags test policy_pipeline -c "$conf" > "$log" 2>&1; then
  grep -E "Task failed|Error|ChecksFailed|DagRun Finished" "$log" | tail -n 30 || true
  echo "The DAG run failed; the published warehouse was left as it was. Full log: $log" >&2
  exit 1
fi
grep -E "Task instance state updated.*new_state=success|DagRun Finished" "$log" | sed -E 's/^.*(DagRun Finished).*(state=[a-z]+).*/\1: \2/' | grep DagRun || true
policy-warehouse summary --warehouse "$POLICY_WAREHOUSE"
