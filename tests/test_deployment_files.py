"""docker-compose cannot run here, so its shape is checked against what `make run` runs."""

import fnmatch
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

import yaml
from django.conf import settings

from procur.celery import app

ROOT = Path(__file__).resolve().parent.parent


def procfile_commands(name: str) -> dict[str, str]:
    lines = (ROOT / name).read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_services_the_design_names():
    assert set(compose()["services"]) >= {"db", "redis", "web", "worker", "beat", "flower"}


def test_compose_app_services_point_at_postgres_and_redis():
    services = compose()["services"]
    for name in ("web", "worker", "beat", "flower"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://"), name
        assert environment["REDIS_URL"] == "redis://redis:6379/0", name
        assert environment["DEBUG"] == "false", name
        assert "SECRET_KEY" in environment, name


def test_compose_runs_what_make_run_runs():
    services = compose()["services"]
    procfile = procfile_commands("Procfile")
    web = " ".join(services["web"]["command"].split())
    assert "-m procur.web --host 127.0.0.1" in procfile["web"]
    assert "python -m procur.web --host 0.0.0.0 --port 8000" in web
    assert "migrate" in web and "seed_demo --if-enabled" in web
    worker = " ".join(services["worker"]["command"])
    assert worker.startswith("celery -A procur worker")
    assert "celery -A procur worker" in procfile["worker"]


def test_make_run_starts_a_worker_or_beat_that_exits_again():
    # honcho stops every process when one exits: the supervisor keeps the app serving.
    for name in ("Procfile", "Procfile.embedded"):
        commands = procfile_commands(name)
        for process in ("worker", "beat"):
            assert f"-m procur.supervise --name {process} -- " in commands[process], name


def test_embedded_procfile_adds_only_the_embedded_redis():
    embedded = procfile_commands("Procfile.embedded")
    assert set(embedded) == set(procfile_commands("Procfile")) | {"redis"}
    assert embedded["redis"].endswith("-m procur.embedded_redis")


def test_dockerfile_runs_as_non_root_with_a_healthcheck():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.count("FROM ") >= 2
    assert "USER procur" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile


def test_compose_and_make_run_start_celery_beat():
    beat = " ".join(compose()["services"]["beat"]["command"])
    assert beat.startswith("celery -A procur beat")
    for name in ("Procfile", "Procfile.embedded"):
        assert "celery -A procur beat" in procfile_commands(name)["beat"], name


def test_beat_schedules_the_stalled_turn_sweep_into_var():
    app.loader.import_default_modules()
    task = settings.CELERY_BEAT_SCHEDULE["sweep-stalled-negotiations"]["task"]
    assert task in app.tasks, "the sweep task must be autodiscovered"
    assert Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent == settings.VAR_DIR


def test_flower_is_a_dependency_with_a_make_target():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(dep.startswith("flower") for dep in dependencies)
    flower = " ".join(compose()["services"]["flower"]["command"])
    assert flower.startswith("celery -A procur flower")
    makefile = (ROOT / "Makefile").read_text()
    assert "\nflower: " in makefile and "celery -A procur flower" in makefile


def test_compose_seeds_demo_data_only_when_asked():
    environment = compose()["services"]["web"]["environment"]
    assert environment["PROCUR_SEED_DEMO"] == "${PROCUR_SEED_DEMO:-false}"


def test_compose_requires_the_metrics_token_and_flowers_password():
    services = compose()["services"]
    for name in ("web", "worker", "beat", "flower"):
        token = services[name]["environment"]["PROCUR_METRICS_TOKEN"]
        assert token.startswith("${PROCUR_METRICS_TOKEN:?"), name
    flower = services["flower"]["environment"]
    assert flower["FLOWER_BASIC_AUTH"].startswith("${FLOWER_BASIC_AUTH:?")
    assert flower["DATABASE_URL"] == services["web"]["environment"]["DATABASE_URL"]
    assert "PROCUR_METRICS_TOKEN=" in (ROOT / "Dockerfile").read_text()  # collectstatic's


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule for a pattern without `!`: it matches the path or one of its parents."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch.fnmatchcase(prefix, pattern.removeprefix("**/"))
        or fnmatch.fnmatchcase(prefix.rsplit("/", 1)[-1], pattern.removeprefix("**/"))
        if pattern.startswith("**/")
        else fnmatch.fnmatchcase(prefix, pattern)
        for pattern in patterns
        for prefix in prefixes
    )


def test_the_docker_build_context_leaves_out_local_state_and_history():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip().rstrip("/") for line in lines if line.strip() and line[0] != "#"]
    assert not any(p.startswith("!") for p in patterns)
    for path in ("var/procur.sqlite3", "var/static/x.css", ".git/HEAD", ".venv/bin/python"):
        assert _ignored(path, patterns), path
    assert _ignored("negotiations/__pycache__/models.cpython-311.pyc", patterns)
    # What the image is built from stays in.
    for path in (
        "pyproject.toml",
        "uv.lock",
        "manage.py",
        "procur/settings.py",
        "static/js/room.js",
    ):
        assert not _ignored(path, patterns), path


def _get(url: str, authorization: str | None = None) -> int:
    request = urllib.request.Request(url)
    if authorization:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_flower_asks_for_the_basic_auth_set_in_the_environment():
    port = _free_port()
    env = {
        **os.environ,
        "FLOWER_BASIC_AUTH": "ops:flower-secret",
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "true",
    }
    flower = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "procur",
            "flower",
            f"--port={port}",
            "--address=127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/workers?refresh=false"
        deadline = time.monotonic() + 60
        while True:
            try:
                status = _get(url)
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "Flower did not start"
                time.sleep(0.5)
        assert status == 401
        wrong = "Basic " + b64encode(b"ops:guess").decode()
        assert _get(url, wrong) == 401
        right = "Basic " + b64encode(b"ops:flower-secret").decode()
        assert _get(url, right) == 200
    finally:
        os.killpg(flower.pid, signal.SIGTERM)
        flower.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
