"""Structural checks of the multi-machine deployment (docker-compose.yml, Dockerfile).

No Docker engine runs here, so these tests read the files: services, shared
image and environment, Celery/Postgres/Redis wiring, mounts that exist, the DAG
folder, healthchecks and start order, secrets only from .env, and the image's
Airflow/Python versions against requirements.lock.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"

AIRFLOW_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-init",
)
LONG_RUNNING = tuple(s for s in AIRFLOW_SERVICES if s != "airflow-init")
REQUIRED_SERVICES = ("postgres", "redis", *AIRFLOW_SERVICES)
DEFAULT_DAGS_FOLDER = "/opt/airflow/dags"
SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEY$|FERNET|TOKEN", re.IGNORECASE)
# Compose interpolation "${VAR}", "${VAR:-default}", "${VAR:?message}".
REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
# Any interpolation, braced or not; "$$" is an escaped dollar for the container.
INTERPOLATION = re.compile(
    r"(?<!\$)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))"
)


def _mask(value) -> str:
    """Replace each ${VAR...} by __VAR__ so that URLs parse as compose will see them."""
    return REF.sub(lambda m: f"__{m.group(1)}__", str(value))


def _secret_ref(value) -> str | None:
    """VAR if value is exactly ${VAR} or ${VAR:?message} (no literal, no default)."""
    match = REF.fullmatch(str(value))
    if match and match.group(2) in (None, "?", ":?"):
        return match.group(1)
    return None


def _url_secret(value) -> str | None:
    """VAR whose required reference is the whole password of the URL in value."""
    password = urlsplit(_mask(value)).password
    match = re.fullmatch(r"__([A-Za-z_][A-Za-z0-9_]*)__", password or "")
    if not match:
        return None
    refs = {m.group(1): m.group(2) for m in REF.finditer(str(value))}
    return match.group(1) if refs.get(match.group(1)) in (None, "?", ":?") else None


def _strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif node is not None:
        yield str(node)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def common_env(compose) -> dict:
    return compose["x-airflow-common"]["environment"]


def _env(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):  # "KEY=value" list form
        env = dict(item.split("=", 1) for item in env)
    return env


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            pairs[key.strip()] = value.strip()
    return pairs


def _mounts(service: dict) -> list[tuple[str, str]]:
    """(source, target) of each volume entry, short or long syntax."""
    out = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            out.append((str(entry.get("source", "")), entry["target"]))
        else:
            parts = entry.split(":")
            out.append((parts[0], parts[1]))
    return out


def _is_bind(source: str) -> bool:
    return source.startswith((".", "/", "~"))


def _host_path_of(service: dict, container_path: str) -> Path | None:
    """Host path of a container path that lies under a bind mount, else None."""
    best = None
    for source, target in _mounts(service):
        inside = container_path == target or container_path.startswith(target + "/")
        longer = best is None or len(target) > len(best[1])
        if _is_bind(source) and inside and longer:
            best = (source, target)
    if best is None:
        return None
    rest = container_path[len(best[1]) :].lstrip("/")
    return (COMPOSE_FILE.parent / best[0] / rest).resolve()


def _airflow_like(services: dict) -> list[str]:
    return [
        name for name in services if name.startswith("airflow-") or name == "flower"
    ]


def test_required_services_exist(services):
    missing = [s for s in REQUIRED_SERVICES if s not in services]
    assert not missing, f"missing services: {missing}"
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:")
    assert services["flower"]["profiles"] == ["flower"], "flower must stay optional"


def test_airflow_services_share_image_env_and_mounts(compose, services, common_env):
    common = compose["x-airflow-common"]
    build = common["build"]
    assert (
        COMPOSE_FILE.parent / build["context"] / build.get("dockerfile", "Dockerfile")
    ).is_file()
    stages = re.findall(
        r"^FROM\s+\S+\s+AS\s+(\S+)",
        DOCKERFILE.read_text(),
        re.MULTILINE | re.IGNORECASE,
    )
    assert build["target"] in stages, (
        f"build target {build['target']!r} is not a Dockerfile stage {stages}"
    )
    for name in _airflow_like(services):
        svc = services[name]
        assert svc.get("build") == build, f"{name} does not build the common image"
        assert svc.get("image") == common["image"], f"{name} uses another image"
        env = _env(svc)
        for key, value in common_env.items():
            assert env.get(key) == value, f"{name}: {key} differs from x-airflow-common"
        assert _mounts(svc) == _mounts(common), (
            f"{name} mounts differ from x-airflow-common"
        )


def test_celery_executor_with_postgres_and_redis(services, common_env):
    assert common_env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    pg_env = _env(services["postgres"])

    db = urlsplit(_mask(common_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]))
    assert db.scheme == "postgresql+psycopg2"
    assert db.hostname == "postgres"
    assert db.username == pg_env["POSTGRES_USER"]
    assert db.path.lstrip("/") == pg_env["POSTGRES_DB"]
    pg_password = _secret_ref(pg_env["POSTGRES_PASSWORD"])
    assert pg_password
    assert _url_secret(common_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]) == pg_password

    backend = urlsplit(_mask(common_env["AIRFLOW__CELERY__RESULT_BACKEND"]))
    # SQLAlchemy 2.1 would pick psycopg 3 for a bare postgresql:// URL; the image has psycopg2.
    assert backend.scheme == "db+postgresql+psycopg2" and backend.hostname == "postgres"
    assert _url_secret(common_env["AIRFLOW__CELERY__RESULT_BACKEND"]) == pg_password

    broker = urlsplit(_mask(common_env["AIRFLOW__CELERY__BROKER_URL"]))
    assert broker.scheme == "redis" and broker.hostname == "redis"
    redis_password = _url_secret(common_env["AIRFLOW__CELERY__BROKER_URL"])
    redis = services["redis"]
    assert _secret_ref(_env(redis).get("REDIS_PASSWORD")) == redis_password
    assert "--requirepass" in str(redis["command"]), "redis must require a password"


def test_airflow3_settings(services, common_env):
    api = urlsplit(common_env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert api.hostname == "airflow-apiserver" and api.path == "/execution/"
    container_ports = [
        str(p).rsplit(":", 1)[-1] for p in services["airflow-apiserver"]["ports"]
    ]
    assert str(api.port) in container_ports
    assert common_env["AIRFLOW__API_AUTH__JWT_SECRET"], (
        "one JWT secret for all components"
    )
    assert common_env["AIRFLOW__CORE__FERNET_KEY"]
    assert str(common_env["AIRFLOW__CORE__LOAD_EXAMPLES"]).lower() == "false"
    init_env = _env(services["airflow-init"])
    assert init_env["_AIRFLOW_DB_MIGRATE"] == "true"
    assert init_env["_AIRFLOW_WWW_USER_CREATE"] == "true"
    assert _secret_ref(init_env["_AIRFLOW_WWW_USER_PASSWORD"])


def test_bind_mount_sources_exist_and_named_volumes_declared(compose, services):
    declared = set(compose.get("volumes") or {})
    for name, svc in services.items():
        for source, _target in _mounts(svc):
            if _is_bind(source):
                assert (COMPOSE_FILE.parent / source).exists(), (
                    f"{name}: bind source {source} missing"
                )
            else:
                assert source in declared, f"{name}: volume {source} not declared"


def test_dags_mount_is_dags_folder_with_policy_pipeline(services, common_env):
    dags_folder = common_env.get("AIRFLOW__CORE__DAGS_FOLDER", DEFAULT_DAGS_FOLDER)
    for name in _airflow_like(services):
        host = _host_path_of(services[name], dags_folder)
        assert host == (ROOT / "dags").resolve(), (
            f"{name}: {dags_folder} is not the repo's dags/"
        )
    pattern = re.compile(
        r"""dag_id\s*=\s*["']policy_pipeline["']|DAG\(\s*["']policy_pipeline["']"""
    )
    defining = [
        p.name
        for p in (ROOT / "dags").glob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert defining, "no file in dags/ defines dag_id 'policy_pipeline'"


def test_project_paths_resolve_inside_containers(compose, services, common_env):
    worker = services["airflow-worker"]
    pythonpath = common_env["PYTHONPATH"]
    for package in ("ingest", "expectations"):
        host = _host_path_of(worker, f"{pythonpath}/{package}")
        assert host == (ROOT / package).resolve(), (
            f"{package} is not importable from PYTHONPATH"
        )
    corpus = _host_path_of(worker, common_env["POLICY_CORPUS_DIR"])
    assert corpus is not None and corpus.is_dir() and any(corpus.iterdir()), (
        "POLICY_CORPUS_DIR is empty"
    )
    # The DuckDB files live on one named volume that every worker mounts.
    warehouse_dir = str(Path(common_env["POLICY_WAREHOUSE"]).parent)
    named = {
        target: source for source, target in _mounts(worker) if not _is_bind(source)
    }
    assert warehouse_dir in named and named[warehouse_dir] in compose["volumes"]
    assert common_env["POLICY_WAREHOUSE"].endswith(".duckdb")


def test_no_literal_secrets(services):
    for name, svc in services.items():
        for key, value in _env(svc).items():
            if SECRET_NAME.search(key):
                assert _secret_ref(value), (
                    f"{name}: {key} must be ${{VAR:?...}} from .env"
                )
            if "://" in str(value) and urlsplit(_mask(value)).password is not None:
                assert _url_secret(value), f"{name}: {key} embeds a literal password"


def test_env_example_lists_every_variable_without_real_secrets(compose):
    used = {
        a or b for text in _strings(compose) for a, b in INTERPOLATION.findall(text)
    }
    example = _env_example()
    missing = sorted(used - set(example))
    assert not missing, f".env.example lacks {missing}"
    required = {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "AIRFLOW_FERNET_KEY"}
    required |= {
        "AIRFLOW_JWT_SECRET",
        "AIRFLOW_API_SECRET_KEY",
        "AIRFLOW_ADMIN_PASSWORD",
    }
    assert required <= used
    for key, value in example.items():
        if SECRET_NAME.search(key):
            assert value == "change-me", f".env.example: {key} must be a placeholder"


def test_env_file_is_not_committed():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, ".env must be gitignored"
    example = subprocess.run(
        ["git", "check-ignore", "-q", ".env.example"], cwd=ROOT, check=False
    )
    assert example.returncode == 1, ".env.example must be committable"
    assert ".env" in (ROOT / ".dockerignore").read_text().split(), (
        ".env must stay out of the image"
    )


def test_healthchecks(services):
    for name in ("postgres", "redis", *LONG_RUNNING):
        test = (services[name].get("healthcheck") or {}).get("test")
        assert test, f"{name} has no healthcheck"


def test_start_order(services):
    for name in (*LONG_RUNNING, "airflow-init", "flower"):
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy", name
        assert deps["redis"]["condition"] == "service_healthy", name
    for name in (*LONG_RUNNING, "flower"):
        deps = services[name]["depends_on"]
        assert deps["airflow-init"]["condition"] == "service_completed_successfully", (
            name
        )
    assert (
        services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"]
        == "service_healthy"
    )
    for name, svc in services.items():
        for dep, spec in (svc.get("depends_on") or {}).items():
            if spec["condition"] == "service_healthy":
                assert services[dep].get("healthcheck"), (
                    f"{name} waits on {dep}, which has no healthcheck"
                )


def test_worker_replicas_configurable(services):
    worker = services["airflow-worker"]
    replicas = str(worker["deploy"]["replicas"])
    match = re.fullmatch(r"\$\{AIRFLOW_WORKER_REPLICAS:-(\d+)\}", replicas)
    assert match and int(match.group(1)) >= 1, (
        f"replicas must be ${{AIRFLOW_WORKER_REPLICAS:-N}}, got {replicas}"
    )
    assert "container_name" not in worker, "a fixed container_name prevents scaling"
    assert "ports" not in worker, "published ports prevent scaling"


def test_dockerfile_matches_lock():
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pin = re.search(r"^apache-airflow==(\S+)$", lock, re.MULTILINE).group(1)
    lock_python = re.search(r"--python-version\s+(\d+\.\d+)", lock).group(1)
    base = re.search(
        r"^FROM\s+apache/airflow:(\S+)",
        DOCKERFILE.read_text(),
        re.MULTILINE | re.IGNORECASE,
    )
    assert base, "Dockerfile must build FROM the official apache/airflow image"
    match = re.fullmatch(r"(?:slim-)?(\d+\.\d+\.\d+)-python(\d+\.\d+)", base.group(1))
    assert match, f"unexpected tag {base.group(1)}"
    assert match.group(1) == pin, f"image Airflow {match.group(1)} != lock {pin}"
    assert match.group(2) == "3.11" == lock_python
    assert re.search(
        r"pip install[^\n]*(\\\n[^\n]*)*-r\s+\S*requirements\.lock",
        DOCKERFILE.read_text(),
    )


