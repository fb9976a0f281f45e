"""Settings fail loudly, with a message that says what to set (checked in fresh processes)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env: str) -> subprocess.CompletedProcess:
    unset = {"SECRET_KEY", "DEBUG", "PROCUR_METRICS_TOKEN"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('loaded')"],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "procur.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


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
