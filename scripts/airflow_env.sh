# Source this file: the embedded Airflow set-up (SQLite metadata in .airflow/,
# no servers). Variables already set in the environment win.
_project_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export AIRFLOW_HOME=${AIRFLOW_HOME:-$_project_dir/.airflow}
export AIRFLOW__CORE__DAGS_FOLDER=${AIRFLOW__CORE__DAGS_FOLDER:-$_project_dir/dags}
export AIRFLOW__CORE__LOAD_EXAMPLES=${AIRFLOW__CORE__LOAD_EXAMPLES:-False}
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-sqlite:///$AIRFLOW_HOME/airflow.db}
export AIRFLOW__CORE__UNIT_TEST_MODE=${AIRFLOW__CORE__UNIT_TEST_MODE:-False}
export POLICY_CORPUS_DIR=${POLICY_CORPUS_DIR:-$_project_dir/corpus/sample}
export POLICY_WAREHOUSE=${POLICY_WAREHOUSE:-$_project_dir/warehouse/policy.duckdb}
mkdir -p "$AIRFLOW_HOME"
unset _project_dir
