"""The multi-machine deployment for real, on this machine's services.

Airflow with its metadata in PostgreSQL and the CeleryExecutor over Redis —
api-server, scheduler, dag-processor and a Celery worker as separate
processes, as docker-compose.yml runs them — triggers the DAG and runs it to
success. Needs PostgreSQL and Redis on 127.0.0.1 (.ci/run starts them).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import duckdb
import psycopg2
import pytest
import redis

from tests.conftest import PROJECT_DIR, SAMPLE_CORPUS

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"
REDIS_DB = 11


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers_as_api_server(process: subprocess.Popen, port: int, seconds: float) -> bool:
    """Whether ``process`` answers on ``port`` with Airflow's version document in time.

    Another process that took the port may answer too; only a JSON body with
    a ``version`` counts, and only while our process is still running.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/version", timeout=5) as answer:
                body = json.loads(answer.read())
        except (OSError, ValueError, http.client.HTTPException):
            time.sleep(1)
            continue
        if isinstance(body, dict) and "version" in body and process.poll() is None:
            return True
        time.sleep(1)
    return False


def _start_api_server(env: dict, logs: Path, attempts: int = 3) -> tuple[subprocess.Popen, int]:
    """The api-server on a free port, answering; on another port if this one was taken meanwhile.

    A port found free may be taken by another test's process before the
    api-server binds it; the other processes are started only once it answers,
    with its real address.
    """
    for attempt in range(attempts):
        port = _free_port()
        log = logs / f"api-server-{attempt}.log"
        env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"http://127.0.0.1:{port}/execution/"
        process = subprocess.Popen(
            [AIRFLOW, "api-server", "--port", str(port)], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        answered = False
        try:
            answered = _answers_as_api_server(process, port, seconds=180)
        finally:  # on a timeout, an error or an interrupt alike: no api-server left behind
            if not answered:
                process.kill()
                process.wait()
        if answered:
            return process, port
        if "address already in use" not in log.read_text(errors="replace").lower():
            raise AssertionError(f"the api-server did not start: {log.read_text(errors='replace')[-2000:]}")
    raise AssertionError(f"no free port for the api-server in {attempts} attempts")


@pytest.fixture
def cluster(tmp_path):
    database = f"airflow_test_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f"create database {database}")
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    home = tmp_path / "airflow"
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"{POSTGRES}/{database}",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{POSTGRES}/{database}",
        "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex,
        "AIRFLOW__API__SECRET_KEY": uuid.uuid4().hex,
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_DIR / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        "POLICY_TASK_RETRIES": "0",
    }
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True, timeout=300)
    logs = tmp_path / "logs"
    logs.mkdir()
    commands = {
        "scheduler": [AIRFLOW, "scheduler"],
        "dag-processor": [AIRFLOW, "dag-processor"],
        "worker": [AIRFLOW, "celery", "worker", "--concurrency", "2"],
    }
    processes = {}
    try:
        processes["api-server"], _ = _start_api_server(env, logs)
        for name, cmd in commands.items():
            processes[name] = subprocess.Popen(
                cmd, env=env, stdout=(logs / f"{name}.log").open("w"), stderr=subprocess.STDOUT
            )
        yield env, logs
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        admin.cursor().execute(f"drop database if exists {database} with (force)")
        admin.close()
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()


def _airflow(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([AIRFLOW, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def _wait(condition, seconds: float, what: str, logs: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(3)
    tails = {p.name: p.read_text(errors="replace")[-2000:] for p in logs.iterdir()}
    raise AssertionError(f"timed out waiting for {what}: {tails}")


def test_the_dag_runs_on_celery_workers_with_postgres_metadata(cluster, tmp_path):
    env, logs = cluster
    warehouse = tmp_path / "warehouse" / "policy.duckdb"
    _wait(lambda: "policy_pipeline" in _airflow(env, "dags", "list", "-o", "plain").stdout, 180, "the DAG to be parsed", logs)
    assert _airflow(env, "dags", "unpause", "policy_pipeline").returncode == 0
    conf = json.dumps({"corpus_dir": str(SAMPLE_CORPUS), "warehouse": str(warehouse)})
    run_id = "celery-test"
    triggered = _airflow(env, "dags", "trigger", "policy_pipeline", "--run-id", run_id, "-c", conf)
    assert triggered.returncode == 0, triggered.stderr

    def finished():
        listing = _airflow(env, "dags", "list-runs", "policy_pipeline", "-o", "plain").stdout
        for line in listing.splitlines():
            fields = line.split()
            if run_id in fields and {"success", "failed"} & set(fields):
                return "success" if "success" in fields else "failed"
        return None

    assert _wait(finished, 900, "the DAG run to finish", logs) == "success", (logs / "worker.log").read_text()[-3000:]
    # The tasks ran in the Celery worker process, not in the scheduler.
    worker_log = (logs / "worker.log").read_text(errors="replace")
    assert "process_batch" in worker_log and "publish_warehouse" in worker_log
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from marts.dim_documents").fetchone()[0] == 5
    finally:
        con.close()


def test_only_an_airflow_answer_counts_as_the_api_server_starting():
    """Another server that took the port is not mistaken for the api-server."""
    import http.server
    import threading

    answers = {"/api/v2/version": b"<html>not airflow</html>"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = answers.get(self.path, b"")
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    waiting = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        port = server.server_address[1]
        assert not _answers_as_api_server(waiting, port, seconds=2)
        answers["/api/v2/version"] = json.dumps({"version": "3.1.0", "git_version": None}).encode()
        assert _answers_as_api_server(waiting, port, seconds=5)
        waiting.kill()
        waiting.wait()
        assert not _answers_as_api_server(waiting, port, seconds=5), "a process that exited does not count"
    finally:
        waiting.kill()
        waiting.wait()
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("wait_ends", ["in time without an answer", "interrupted"])
def test_an_api_server_that_did_not_answer_is_not_left_running(wait_ends, tmp_path, monkeypatch):
    airflow = tmp_path / "airflow"
    airflow.write_text("#!/bin/sh\nexec sleep 60\n")
    airflow.chmod(0o755)
    module = sys.modules[__name__]
    monkeypatch.setattr(module, "AIRFLOW", str(airflow))
    started = []

    def wait(process, port, seconds):
        started.append(process)
        if wait_ends == "interrupted":
            raise KeyboardInterrupt
        return False

    monkeypatch.setattr(module, "_answers_as_api_server", wait)
    expected = KeyboardInterrupt if wait_ends == "interrupted" else AssertionError
    with pytest.raises(expected):
        _start_api_server(dict(os.environ), tmp_path)
    assert len(started) == 1
    assert started[0].poll() is not None, "the api-server was left running"
