"""docker-compose.yml is validated structurally here (no Docker engine on CI machines)."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def load() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_defines_the_five_services_with_health_checks():
    services = load()["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    for name in ("postgres", "redis", "web"):
        assert "test" in services[name]["healthcheck"], name


def test_app_services_share_one_image_and_point_at_postgres_and_redis():
    services = load()["services"]
    for name in ("web", "worker", "beat"):
        service = services[name]
        environment = service["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://"), name
        assert environment["CELERY_BROKER_URL"].startswith("redis://"), name
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy", name
        assert service["depends_on"]["redis"]["condition"] == "service_healthy", name
    assert "uvicorn cxhub.asgi:application" in " ".join(services["web"]["command"])  # ASGI: the live map
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]


def test_database_lives_on_a_named_volume():
    compose = load()
    volume = compose["services"]["postgres"]["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


def test_web_and_worker_share_the_uploaded_files_on_a_named_volume():
    """An upload stored by the web process must be there for the worker (before: FileNotFoundError on
    every browser or API import), and survive a container being replaced."""
    compose = load()
    mounts = {}
    for name in ("web", "worker"):
        volumes = compose["services"][name].get("volumes", [])
        mounts[name] = {v.split(":")[1]: v.split(":")[0] for v in volumes}
        assert mounts[name].get("/app/var/media") == "media", name
    assert "media" in compose["volumes"]
    dockerfile = (COMPOSE.parent / "Dockerfile").read_text()
    assert "mkdir -p /app/var/media" in dockerfile and "chown -R cxhub /app/var" in dockerfile
