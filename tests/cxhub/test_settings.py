"""The settings module reads the environment strictly; run in subprocesses so each sees a fresh environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# Variables that would change what the settings module decides, stripped so each test states its own.
CONFIG_PREFIXES = ("DATABASE_URL", "CELERY_", "CXHUB_", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "SMTP_")


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(CONFIG_PREFIXES)}


def run_django(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = clean_environment()
    clean.pop("SECRET_KEY", None)
    clean.pop("ALLOWED_HOSTS", None)
    clean["DJANGO_SETTINGS_MODULE"] = "cxhub.settings"
    clean["CXHUB_DATA_DIR"] = env.pop("CXHUB_DATA_DIR", str(ROOT / "var"))
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_no_configuration_means_the_embedded_server_a_file_broker_and_debug_off(tmp_path):
    result = run_django(
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], d['HOST'], s.CELERY_BROKER_URL, s.CELERY_RESULT_BACKEND, "
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'], s.DEBUG, s.SESSION_COOKIE_SECURE)",
        CXHUB_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "cxhub.lib.embedded_postgres",
        "cxhub",
        str((tmp_path / "postgres").resolve()),
        "filesystem://",
        f"file://{tmp_path / 'celery' / 'results'}",
        str(tmp_path / "celery" / "queue"),
        "False",
        "False",
    ]
    assert not (tmp_path / "postgres").exists()  # reading the settings starts no server: a connection does


def test_a_database_url_that_is_not_postgresql_is_refused():
    result = run_django("pass", DATABASE_URL="sqlite:///tmp/cx.sqlite3")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL=sqlite://… is not PostgreSQL" in result.stderr


def test_database_and_broker_urls_switch_to_postgresql_and_real_celery():
    result = run_django(
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], "
        "s.CELERY_BROKER_URL, s.CELERY_RESULT_BACKEND)",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/cx",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "cx",
        "redis://127.0.0.1:6379/3",
        "redis://127.0.0.1:6379/3",
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "ture"}, "DEBUG='ture' is not a boolean"),
        ({"CXHUB_ENV": "prod"}, "CXHUB_ENV='prod' must be"),
        ({"CXHUB_ENV": "production", "ALLOWED_HOSTS": "cx.example.com"}, "SECRET_KEY is required"),
        ({"CXHUB_ENV": "production", "SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS is required"),
        ({"SESSION_COOKIE_AGE": "a day"}, "SESSION_COOKIE_AGE='a day' is not an integer"),
    ],
)
def test_bad_configuration_fails_loudly_naming_the_variable(env, message):
    result = run_django("pass", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_configuration_passes_the_deployment_check_without_warnings(tmp_path):
    env = {
        "CXHUB_ENV": "production",
        "SECRET_KEY": "k8Jq2v-" + "Zr4tY7uP0oLm3nB6vC9xW1sD5fG8hJ2kL4zX7cV0bN3mQ6wE9rT",
        "ALLOWED_HOSTS": "cx.example.com",
        "CXHUB_DATA_DIR": str(tmp_path),
    }
    clean = clean_environment()
    clean.update(env)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_bad_trusted_proxy_is_refused_at_start():
    result = run_django("", CXHUB_TRUSTED_PROXIES="10.0.0.0/8,proxy.example", DATABASE_URL="postgres://x@127.0.0.1/x")
    assert result.returncode != 0 and "CXHUB_TRUSTED_PROXIES: “proxy.example” is not an address" in result.stderr


@pytest.mark.parametrize(
    "broker, backend",
    [
        ("redis://127.0.0.1:6379/0", "django.core.cache.backends.redis.RedisCache"),
        ("", "django.core.cache.backends.db.DatabaseCache"),
    ],
)
def test_rate_limits_live_in_a_cache_every_process_shares(broker, backend):
    """Redis when there is one, else the database: never a process's own memory (3 processes would
    each let the limit through)."""
    env = {"DATABASE_URL": "postgres://x@127.0.0.1/x"} | ({"CELERY_BROKER_URL": broker} if broker else {})
    result = run_django("from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == backend
