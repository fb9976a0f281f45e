"""docker-compose cannot run here, so its shape is checked against what `make run` runs."""

import tomllib
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
    assert "migrate" in web and "seed_demo" in web
    worker = " ".join(services["worker"]["command"])
    assert worker.startswith("celery -A procur worker")
    assert "celery -A procur worker" in procfile["worker"]


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
