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
