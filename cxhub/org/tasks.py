"""Infrastructure tasks: a round trip that proves the broker and a worker are wired up."""

import os
import socket

from celery import shared_task
from django.db import connection


@shared_task
def ping_task(nonce: str) -> dict[str, object]:
    """Echo the nonce with where it ran, so a caller can tell a real worker from in-process execution."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"nonce": nonce, "pid": os.getpid(), "host": socket.gethostname(), "database": connection.display_name}
