"""CX Hub settings: one module, driven by the environment.

With no environment at all the app runs on the embedded PostgreSQL server (a pip wheel, started
on first use, data in var/) and a Celery broker made of files in var/, so `make run` works on a
fresh machine. DATABASE_URL and CELERY_BROKER_URL switch to another PostgreSQL server and Redis;
CXHUB_ENV=production turns on the deployment hardening.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
import plotly
from babel import numbers as babel_numbers
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from cxhub.lib import embedded_postgres

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _env_bool(name: str, default: bool) -> bool:
    """Read a boolean strictly: a typo such as DEBUG=ture must fail, not silently mean False."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no, on/off).")


def _env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


CXHUB_ENV = env.str("CXHUB_ENV", default="development")
if CXHUB_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"CXHUB_ENV={CXHUB_ENV!r} must be 'development' or 'production'.")
PRODUCTION = CXHUB_ENV == "production"

DEBUG = _env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when CXHUB_ENV=production.")

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is required when CXHUB_ENV=production.")
    # Development only: a fixed key keeps sessions across restarts; production refuses it above.
    SECRET_KEY = "django-insecure-cxhub-development-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when CXHUB_ENV=production.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # First: its runserver serves ASGI (HTTP and the live map's WebSockets) in `make run`.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "channels",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "cxhub.org",
    "cxhub.exports",
    "cxhub.notifications",
    "journeys",
    "barriers",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything that reads the body (CSRF reads POST), after locale so the error is translated.
    "cxhub.lib.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "cxhub.lib.live.LiveOriginMiddleware",
    # Last, as django-axes requires: it turns a lockout raised during login into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cxhub.urls"
WSGI_APPLICATION = "cxhub.wsgi.application"
ASGI_APPLICATION = "cxhub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cxhub.org.context_processors.navigation",
                "cxhub.notifications.context_processors.bell",
            ],
        },
    },
]

# Database: PostgreSQL only. DATABASE_URL names a server (postgres://user:password@host:port/name);
# without it, the embedded server in DATA_DIR/postgres, started by the first connection.
DATA_DIR = Path(env.str("CXHUB_DATA_DIR", default=str(BASE_DIR / "var")))
DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"DATABASE_URL={DATABASE_URL.split('://')[0]}://… is not PostgreSQL: CX Hub runs on PostgreSQL 15 or newer "
            "(postgres://user:password@host:port/name), or on its embedded server when DATABASE_URL is not set."
        )
else:
    DATABASES = {"default": embedded_postgres.database_settings(DATA_DIR)}
# A pool of connections per process (psycopg_pool): under ASGI each request's sync code runs in a
# thread of its own, where Django's persistent connections (CONN_MAX_AGE) would be left open.
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
    "min_size": _env_int("DB_POOL_MIN", 1, minimum=0),
    "max_size": _env_int("DB_POOL_MAX", 10, minimum=1),
    "timeout": 20,
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # The per-address limit and django-axes first, so a locked-out address, or username + address, is
    # refused before the password is checked.
    "cxhub.lib.login_limit.AddressLimitBackend",
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: lock a username + IP pair after a few failures, for a limited time.
AXES_FAILURE_LIMIT = _env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=_env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cxhub.lib.lockout.lockout_response"
AXES_VERBOSE = False
# The real client address (cxhub.lib.client_ip): X-Forwarded-For counts only from these proxies
# (addresses or networks, comma-separated), e.g. CXHUB_TRUSTED_PROXIES=10.0.0.0/8 behind a load balancer.
CXHUB_TRUSTED_PROXIES = env.list("CXHUB_TRUSTED_PROXIES", default=[])
for _proxy in CXHUB_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"CXHUB_TRUSTED_PROXIES: “{_proxy}” is not an address or a network.") from None
AXES_CLIENT_IP_CALLABLE = "cxhub.lib.client_ip.client_ip"
# Failed logins per client address, across user names, before it is refused for the rest of the window.
CXHUB_LOGIN_FAILURES_PER_IP = _env_int("CXHUB_LOGIN_FAILURES_PER_IP", 30, minimum=1)
CXHUB_LOGIN_FAILURE_WINDOW = timedelta(minutes=_env_int("CXHUB_LOGIN_FAILURE_WINDOW_MINUTES", 15, minimum=1))

# Sessions end after a working day without activity; every request pushes the expiry forward.
SESSION_COOKIE_AGE = _env_int("SESSION_COOKIE_AGE", 9 * 60 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie (the token goes in hx-headers), but the admin's JS may
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# Deployment hardening (CXHUB_ENV=production); `manage.py check --deploy` passes with it.
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container health check speaks plain HTTP inside the network
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env.str("SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy, enforced: only our own origin, no inline script or style, no CDN.
# data: images are the SVG icons inside the vendored CSS kit.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Upload limits: whole request bodies above the cap are refused with 413 before Django reads them.
CXHUB_MAX_REQUEST_BYTES = _env_int("CXHUB_MAX_REQUEST_BYTES", 200 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # non-file form data
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # larger files spill to a temporary file
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# Internationalisation: English and Russian.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["cxhub.formats"]  # one date format per language (cxhub/formats)
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
# The browser that prints the dashboard's PDF report; empty: the first chromium or chrome on PATH.
CHROMIUM_PATH = env.str("CHROMIUM_PATH", default="")
USE_I18N = True
USE_TZ = True
# The company's currency (ISO 4217): every sum imported and shown is in it ("538 тыс. ₽", "₽538K").
CXHUB_CURRENCY = env.str("CXHUB_CURRENCY", default="RUB").strip().upper()
if not babel_numbers.is_currency(CXHUB_CURRENCY):
    raise ImproperlyConfigured(
        f"CXHUB_CURRENCY={CXHUB_CURRENCY!r} is not an ISO 4217 currency code (e.g. RUB, EUR, USD)."
    )
# Below this many cases, customers or answers a figure is shown greyed as "too few" and never ranked.
CXHUB_MIN_SAMPLE = _env_int("CXHUB_MIN_SAMPLE", 30, minimum=1)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # plotly.js comes from the plotly package itself (same version as the Python figures), served locally.
    ("plotly", Path(plotly.__file__).parent / "package_data"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# The test suite never runs collectstatic; WhiteNoise finds files through the finders there.
WHITENOISE_USE_FINDERS = DEBUG

# Email (Django 6.1 MAILERS): printed to the console in development unless SMTP_HOST names a server;
# production always sends through SMTP, by default to a local mail relay.
SMTP_HOST = env.str("SMTP_HOST", default="localhost" if PRODUCTION else "")
if SMTP_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": _env_int("SMTP_PORT", 25, minimum=1),
                "username": env.str("SMTP_USER", default=""),
                "password": env.str("SMTP_PASSWORD", default=""),
                "use_tls": _env_bool("SMTP_USE_TLS", False),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# Where people open CX Hub: links in e-mails point here.
CXHUB_BASE_URL = env.str("CXHUB_BASE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CX Hub <cxhub@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: tasks always go to a worker (`make run` starts one beside the web server). CELERY_BROKER_URL
# names a broker (Redis); without it, kombu's filesystem transport: a queue of files in DATA_DIR/celery
# that needs no server. The test suite runs tasks in-process (tests/conftest.py).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_EAGER_PROPAGATES = True
if CELERY_BROKER_URL:
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
    # Redis hands a task whose worker died before acknowledging it (acks_late) to another worker after
    # this many seconds. It fits the longest recompute task (its budget plus one chunk, within the
    # chunk's hard limit, below), so a slow one is not handed out twice; an import lasting longer is
    # safe too: a second copy finds the import's advisory lock held and drops out (cxhub.lib.jobs).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900)}
else:
    CELERY_QUEUE_DIR = DATA_DIR / "celery"
    for folder in ("queue", "processed", "results", "control"):
        (CELERY_QUEUE_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),  # broadcasts (worker control), else ./control
        "store_processed": False,
        "polling_interval": 0.1,  # a directory listing: cheap, and a task starts within 0.1 s, not 1 s
    }
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=f"file://{CELERY_QUEUE_DIR / 'results'}")
# How often an open page asks for the bell's unread count (seconds).
NOTIFICATIONS_POLL_SECONDS = _env_int("NOTIFICATIONS_POLL_SECONDS", 60, minimum=1)

# The live map's messages (Django Channels): through Redis when the broker is Redis, so every web process
# and worker reaches every open map; in memory on the embedded default (one web process: `make run`).
CHANNEL_LAYER_URL = env.str(
    "CHANNEL_LAYER_URL", default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
if CHANNEL_LAYER_URL:
    # Redis pub/sub: messages go straight to the processes with sockets listening, nothing is queued
    # (a live change is worth nothing later), and no per-process queue fills up when fifty people watch.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [CHANNEL_LAYER_URL], "prefix": "cxhub-live"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 500}}}
# The cache holds rate-limit counters (logins, the token endpoint, share links): every web process must
# see the same counts, so it is Redis when there is one and a database table otherwise — never a
# process's own memory (3 processes would each allow the limit).
if CHANNEL_LAYER_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CHANNEL_LAYER_URL,
                    "KEY_PREFIX": "cxhub"}
    }  # fmt: skip
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cxhub_cache"}}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="cxhub")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Time limits (seconds). Every task has a soft limit (an exception it can clean up after) and a hard
# one (the worker process is killed); a recompute task stops taking new chunks after its budget and
# queues a task for the rest, so it never nears its limit unless one chunk does.
CELERY_TASK_SOFT_TIME_LIMIT = _env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600, minimum=1)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
IMPORT_SOFT_TIME_LIMIT = _env_int("IMPORT_SOFT_TIME_LIMIT", 1800, minimum=1)
METRICS_CHUNK_SOFT_TIME_LIMIT = _env_int("METRICS_CHUNK_SOFT_TIME_LIMIT", 600, minimum=1)
METRICS_TASK_BUDGET_SECONDS = env.float("METRICS_TASK_BUDGET_SECONDS", default=60.0)
# A recompute run or an import whose worker's lock is gone and that has not moved for this long is
# taken for lost: the sweeper (every minute) resumes the run, or fails the import as retryable.
METRICS_RUN_STALE_SECONDS = env.float("METRICS_RUN_STALE_SECONDS", default=60.0)
# Pause between recompute chunks (seconds): leaves the database room for page requests during a big
# recompute on a small server; 0 on most installations.
METRICS_CHUNK_PAUSE_SECONDS = env.float("METRICS_CHUNK_PAUSE_SECONDS", default=0.0)
# Days an uploaded import file is kept after its import finished; then it is deleted, the record stays.
METRICS_IMPORT_FILE_DAYS = _env_int("METRICS_IMPORT_FILE_DAYS", 30, minimum=1)
# The one place for periodic jobs; each entry says why it runs when it does. Later issues add theirs.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Each department head's list of overdue barriers, once every weekday morning (idempotent per day).
    "barriers-overdue-digest": {
        "task": "barriers.tasks.overdue_digest",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon-fri"),
    },
    # Recompute runs and imports whose worker died are resumed (runs) or failed (imports) within a minute
    # or two, not left "running"; the run queued behind a finished one starts.
    "metrics-sweep": {
        "task": "metrics.tasks.sweep",
        "schedule": env.float("METRICS_SWEEP_SECONDS", default=60.0),
    },
    # A full recompute of the figures every night (imports trigger incremental ones during the day).
    "metrics-nightly-recompute": {
        "task": "metrics.tasks.nightly_recompute",
        "schedule": crontab(hour=2, minute=15),
    },
    # Import files are kept METRICS_IMPORT_FILE_DAYS after their import finished (the records stay).
    "metrics-forget-old-import-files": {
        "task": "metrics.tasks.forget_old_import_files",
        "schedule": crontab(hour=3, minute=40),
    },
    # Exports are made to be downloaded at once; files older than a day are removed every hour.
    "exports-prune": {
        "task": "cxhub.exports.tasks.prune_exports",
        "schedule": crontab(minute=40),
    },
    # Each journey owner's maps due for review, Monday mornings (once per owner and week).
    "journeys-review-digest": {
        "task": "journeys.tasks.review_digest",
        "schedule": crontab(hour=7, minute=45, day_of_week="mon"),
    },
    # E-mails whose task message was lost (worker crash, broker restart) go out within ten minutes.
    "notifications-send-pending": {
        "task": "cxhub.notifications.tasks.send_pending_notifications",
        "schedule": crontab(minute="*/10"),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes a missing or bad token a 401, not a 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only outside development: the browsable API's pages use inline script and style, which
    # the Content-Security-Policy above forbids (the API's own docs are at /api/docs/).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # JSON in; files only where a file is the point (imports), as multipart. One way to send each
    # value (a form cannot say null), so the schema says exactly what is accepted.
    "DEFAULT_PARSER_CLASSES": ["cxhub.lib.parsers.ObjectJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
    "EXCEPTION_HANDLER": "cxhub.lib.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CX Hub API",
    "DESCRIPTION": "Journeys, barriers and customer-experience figures. "
    "Authenticate with a session (browser) or `Authorization: Token <key>` from POST /api/v1/auth/token/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cxhub.lib.api_schema.document_refusals",
    ],
    # Choice sets that share a field name get names of their own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "JourneyStatusEnum": "journeys.models.Journey.Status",
        "BarrierStatusEnum": "barriers.models.Status",
        "ResearchMethodEnum": "barriers.models.Method",
        "ImportKindEnum": "metrics.models.DataImport.Kind",
        "ImportStatusEnum": "metrics.models.DataImport.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Failed logins and lockouts are security events: keep them in the log.
        "axes": {"level": "INFO"},
        "django.db.backends": {"level": "INFO"},
    },
}
