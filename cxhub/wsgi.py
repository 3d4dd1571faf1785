"""WSGI entry point (gunicorn cxhub.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxhub.settings")

application = get_wsgi_application()
