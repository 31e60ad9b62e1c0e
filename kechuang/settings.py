"""Settings for Kechuang.

Everything that differs between a laptop demo and an intranet deployment comes from the environment:
``DATABASE_URL``, ``KECHUANG_SECRET_KEY``, ``KECHUANG_DEBUG``, ``KECHUANG_ALLOWED_HOSTS``, ``KECHUANG_DATA_DIR``.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("KECHUANG_DATA_DIR", BASE_DIR / "data"))
ASSETS_DIR = BASE_DIR / "frontend" / "node_modules"


def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("KECHUANG_DEBUG", True)
# The demo key is only acceptable with DEBUG on; production must set its own (check --deploy insists).
DEMO_SECRET_KEY = "kechuang-demo-key-not-for-production"
SECRET_KEY = os.environ.get("KECHUANG_SECRET_KEY", DEMO_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEMO_SECRET_KEY:
    # Sessions, password reset links and CSRF tokens signed with a published key can be forged.
    raise ImproperlyConfigured("DEBUG is off but KECHUANG_SECRET_KEY is not set: set it to a long random value")
ALLOWED_HOSTS = [h for h in os.environ.get("KECHUANG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KECHUANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
DEMO_MODE = _flag("KECHUANG_DEMO", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_tables2",
    "csp",
    "core",
    "plans",
    "tasks",
    "enterprises",
    "platforms",
    "vouchers",
    "projects",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestSizeLimit",
    "core.middleware.DatabaseBusy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kechuang.urls"
WSGI_APPLICATION = "kechuang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
            ],
        },
    },
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'kechuang.sqlite3'}",
        conn_max_age=int(os.environ.get("KECHUANG_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the demo server read while an import writes; the timeout rides out short write locks.
    # IMMEDIATE: a transaction takes the write lock when it begins, so two concurrent workflow steps queue
    # (the second then sees the first's result) instead of both reading and one failing on its write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE",
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    # A worker keeps its connection between requests, as on PostgreSQL: opening one and running the
    # PRAGMAs above cost about a millisecond, more than a cached page's whole body.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("KECHUANG_CONN_MAX_AGE", "60"))
    # Tests use a file, not SQLite's shared in-memory database: there a second thread's write fails at once
    # ("database table is locked") instead of waiting for the lock, so concurrent steps could not be tested.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-kechuang.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    # Length, three character classes and not the user name (core.passwords); then Django's own checks.
    {"NAME": "core.passwords.ComplexityValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Only languages with a catalogue under locale/: with "en" listed and no English catalogue, LocaleMiddleware
# followed an English browser's Accept-Language and mixed Django's English (form errors, dates) into the
# Chinese pages. Add ("en", "English") back together with locale/en.
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Third-party assets come from the npm registry at set-up time (frontend/package.json) and are served
# by the app itself: intranets have no CDN.
STATICFILES_DIRS = [
    ("vendor/bootstrap", ASSETS_DIR / "bootstrap" / "dist"),
    ("vendor/echarts", ASSETS_DIR / "echarts" / "dist"),
    ("vendor/htmx", ASSETS_DIR / "htmx.org" / "dist"),
]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Login failure counters: in the database so every server process counts the same attempts.
    "throttle": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kechuang_cache"},
}
if os.environ.get("KECHUANG_REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["KECHUANG_REDIS_URL"],
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.KechuangAutoSchema",
    # The API reads JSON; the upload endpoints name multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StrictPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "科创平台 API",
    "DESCRIPTION": "区域科技创新体系（315 工程）数字化平台的 JSON 接口",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The API docs page loads Swagger UI from the app itself (sidecar package), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two choice sets share the field name "kind"; name each enum after what it lists.
    "ENUM_NAME_OVERRIDES": {"OrgKindEnum": "core.models.OrgKind", "IndicatorKindEnum": "plans.models.IndicatorKind",
                            "BasisEnum": "plans.models.Basis"},
}

# Certificates expiring within this many days are listed as reminders (ladder, portrait).
KECHUANG_CERT_REMINDER_DAYS = int(os.environ.get("KECHUANG_CERT_REMINDER_DAYS", "180"))

# Login throttling: failed attempts per username and per client address inside the window.
LOGIN_FAILURE_LIMIT = int(os.environ.get("KECHUANG_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW = 15 * 60
# Addresses of reverse proxies in front of the app; only a request from one of them has its
# X-Forwarded-For read for the client address (comma-separated, e.g. "10.0.0.2").
KECHUANG_TRUSTED_PROXIES = [a.strip() for a in os.environ.get("KECHUANG_TRUSTED_PROXIES", "").split(",") if a.strip()]

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Every page runs only scripts and styles served from the platform itself: no inline script, no inline
# style attribute, no eval, nothing from elsewhere. Bootstrap's form controls draw their arrows from data:
# images, and ECharts renders charts as inline SVG, so images may come from data: URLs too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    # Behind the bureau's TLS proxy; a plain-HTTP benchmark on loopback turns these off explicitly.
    SESSION_COOKIE_SECURE = _flag("KECHUANG_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = _flag("KECHUANG_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("KECHUANG_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Heavy work (imports, screenings, reports): KECHUANG_JOBS=celery sends it to `kechuang worker` through the
# broker (RabbitMQ `amqp://…` or Redis `redis://…`); "thread" (default) runs it on a thread of the app
# server, for the embedded demo. KECHUANG_JOBS_SYNC runs it within the request or command (tests, CLI).
KECHUANG_JOBS = os.environ.get("KECHUANG_JOBS", "thread")
KECHUANG_JOBS_SYNC = _flag("KECHUANG_JOBS_SYNC", False)
KECHUANG_JOBS_QUEUE = os.environ.get("KECHUANG_JOBS_QUEUE", "celery")
# An import of more rows than this (in its sheet, header included) runs as a background job with a progress
# page, instead of within the request: 100,000 rows take seconds to tens of seconds, past a proxy's patience.
KECHUANG_IMPORT_JOB_ROWS = int(os.environ.get("KECHUANG_IMPORT_JOB_ROWS", "2000"))
CELERY_BROKER_URL = os.environ.get("KECHUANG_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # status and result are in core.Job
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KECHUANG_LOG_LEVEL", "WARNING")},
}

# Largest request body (uploads included), checked from Content-Length before the body is read
# (core.middleware.RequestSizeLimit). Form fields without files stay under Django's own limit.
KECHUANG_UPLOAD_MAX_BYTES = int(os.environ.get("KECHUANG_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
