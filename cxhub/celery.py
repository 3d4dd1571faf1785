"""The Celery application. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxhub.settings")

app = Celery("cxhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _hold_embedded_database(**kwargs) -> None:
    # The worker's own process holds the embedded server from its start, so the server outlives the web
    # server while tasks still run (its pool children only connect).
    from cxhub.lib.embedded_postgres import hold_configured

    hold_configured()
