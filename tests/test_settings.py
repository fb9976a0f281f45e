"""Settings fail loudly, with a message that says what to set (checked in fresh processes)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_with_settings(
    code: str, unset: tuple[str, ...] = (), before: str = "", **env: str
) -> subprocess.CompletedProcess:
    """``code`` after ``django.setup()`` (and ``before`` it) in a fresh process, with ``env``
    and without ``unset`` (nor SECRET_KEY, DEBUG, the metrics token, LOG_FORMAT and the scripted
    voice's pace, unless given)."""
    dropped = {
        "SECRET_KEY",
        "DEBUG",
        "PROCUR_METRICS_TOKEN",
        "LOG_FORMAT",
        "PROCUR_SIMULATED_LLM_LATENCY",
        *unset,
    }
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"{before}\nimport django\ndjango.setup()\n{code}"],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "procur.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def load_settings(**env: str) -> subprocess.CompletedProcess:
    return run_with_settings("print('loaded')", **env)


def setting(name: str, unset: tuple[str, ...] = (), **env: str):
    result = run_with_settings(
        f"import json; from django.conf import settings; print(json.dumps(settings.{name}))",
        unset,
        **env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_a_metrics_token():
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "PROCUR_METRICS_TOKEN is not set" in result.stderr
    assert "/metrics needs a bearer token" in result.stderr


def test_production_starts_with_a_secret_key_and_a_metrics_token():
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 50, PROCUR_METRICS_TOKEN="t" * 32)
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PROCUR_LLM": "gpt"}, "set it to 'scripted' or 'anthropic'"),
        ({"PROCUR_LLM": "anthropic", "ANTHROPIC_API_KEY": ""}, "needs ANTHROPIC_API_KEY"),
    ],
)
def test_a_bad_llm_setting_says_what_to_set(env, message):
    result = load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    "url, prefix",
    [
        ("redis://127.0.0.1:6379/3", "procur-db3:"),
        ("redis://127.0.0.1:6379", "procur-db0:"),
        ("redis://127.0.0.1:6379/", "procur-db0:"),
        ("redis://127.0.0.1:6379?db=5", "procur-db5:"),
    ],
)
def test_room_channels_are_namespaced_by_redis_db(url, prefix):
    # Pub/sub ignores the DB number: two Procurs on one Redis server must not hear each other.
    from procur.settings import channel_prefix, redis_settings

    assert channel_prefix(url) == prefix
    assert redis_settings(url)["CHANNEL_LAYERS"]["default"]["CONFIG"]["prefix"] == prefix


def test_loading_the_settings_creates_no_folder():
    # Whatever writes under var/ creates it (make run, the embedded Redis, the test suite).
    result = run_with_settings(
        "print(made)",
        unset=("DATABASE_URL", "REDIS_URL"),
        before="import os\nmade = []\nmkdir = os.mkdir\n"
        "os.mkdir = lambda path, *a, **k: made.append(str(path)) or mkdir(path, *a, **k)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_the_scripted_voice_keeps_a_models_pace_on_embedded_defaults_only():
    embedded = setting("PROCUR_SIMULATED_LLM_LATENCY", unset=("REDIS_URL",))
    assert embedded == setting("EMBEDDED_SCRIPTED_PACE")
    assert 1 <= embedded <= 2  # about a model's time for one turn
    assert setting("PROCUR_SIMULATED_LLM_LATENCY", REDIS_URL="redis://127.0.0.1:6379/9") == 0
    assert (
        setting(
            "PROCUR_SIMULATED_LLM_LATENCY",
            unset=("REDIS_URL",),
            **{"PROCUR_SIMULATED_LLM_LATENCY": "0.25"},
        )
        == 0.25
    )


PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "x" * 50, "PROCUR_METRICS_TOKEN": "t" * 32}
LOG_A_LINE = "import logging\nlogging.getLogger('procur.check').warning('hello %s', 'there')"


@pytest.mark.parametrize(
    ("env", "readable"),
    [
        ({"DEBUG": "true"}, True),
        (PRODUCTION, False),
        ({"DEBUG": "true", "LOG_FORMAT": "json"}, False),
        ({**PRODUCTION, "LOG_FORMAT": "console"}, True),
    ],
)
def test_logs_are_readable_lines_in_development_and_json_in_production(env, readable):
    result = run_with_settings(LOG_A_LINE, **env)
    assert result.returncode == 0, result.stderr
    [line] = [x for x in result.stderr.splitlines() if "hello there" in x]
    if readable:
        assert not line.startswith("{")
        assert "[warning  ] hello there" in line and "[procur.check]" in line
    else:
        record = json.loads(line)
        assert (record["event"], record["level"], record["logger"]) == (
            "hello there",
            "warning",
            "procur.check",
        )
