"""Settings for sendflow: one module, every deployment difference an environment variable.

With no environment at all the defaults run the service and its tests on one machine with no
servers to install: SQLite, a filesystem Celery broker, console email and SMS.
"""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # runtime files of the embedded default (database, broker, outboxes)
(VAR_DIR / "broker").mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; never committed

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The default key only serves the embedded default; production sets DJANGO_SECRET_KEY.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-set-DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    # The proxy terminates HTTPS and says so in X-Forwarded-Proto; trust it only when told to.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "phonenumber_field",
    "workflows",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the admin's CSS and JS itself, so `make run` and a bare gunicorn look right.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sendflow.urls"
WSGI_APPLICATION = "sendflow.wsgi.application"

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
            ],
        },
    },
    {
        # Plain-text messages (texts, emails): no HTML escaping of "council's" or "&".
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {"autoescape": False},
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'sendflow.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Workers send many short tasks: keep connections (checked before reuse) rather than
    # opening one per task.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # Web, worker and beat share the file: wait for locks, take them up front, and let
    # readers run beside the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL;"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"  # shown to people; instants are stored in UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
# Without collectstatic (the embedded default), find files in the apps; with it (the image),
# serve what was collected.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
# The family pages' GOV.UK Frontend and stylesheet (sendflow is not an app, so no app finder).
STATICFILES_DIRS = [BASE_DIR / "sendflow" / "static"]

PHONENUMBER_DEFAULT_REGION = "GB"
PHONENUMBER_DB_FORMAT = "E164"

# Email: console by default; SMTP or an ESP (django-anymail) in production.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "outbox" / "email"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # Django's default is to wait forever
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="sendflow <reminders@sendflow.invalid>")

# SMS: a short name (console, file, locmem, twilio) or a dotted path.
SMS_BACKEND = env("SMS_BACKEND", default="console")
SMS_FILE_PATH = env("SMS_FILE_PATH", default=str(VAR_DIR / "outbox" / "sms"))
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
TWILIO_MESSAGING_SERVICE_SID = env("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_TIMEOUT_SECONDS = env.float("TWILIO_TIMEOUT_SECONDS", default=10.0)
TWILIO_VALIDITY_PERIOD_SECONDS = env.int("TWILIO_VALIDITY_PERIOD_SECONDS", default=4 * 3600)
# Only for tests and local fakes: where the SDK's requests go instead of Twilio's API.
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="")
if SMS_BACKEND == "twilio" and not (
    TWILIO_ACCOUNT_SID
    and TWILIO_AUTH_TOKEN
    and (TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID)
):
    raise ImproperlyConfigured(
        "SMS_BACKEND is twilio: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
        "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID"
    )

SENDFLOW_PUBLIC_URL = env("SENDFLOW_PUBLIC_URL", default="http://localhost:8000")
SENDFLOW_QUIET_HOURS = env("SENDFLOW_QUIET_HOURS", default="20:00-09:00")  # Europe/London
if not re.fullmatch(r"\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}\s*", SENDFLOW_QUIET_HOURS):
    raise ImproperlyConfigured(
        f"SENDFLOW_QUIET_HOURS is '{SENDFLOW_QUIET_HOURS}': write it as HH:MM-HH:MM, "
        "like 20:00-09:00"
    )
# Who families should contact: printed in every message and on every family page. The defaults
# are placeholders for development (020 7946 0xxx is an Ofcom number reserved for drama).
SENDFLOW_ADVICE_SERVICE_NAME = env("SENDFLOW_ADVICE_SERVICE_NAME", default="Example SENDIASS")
SENDFLOW_ADVICE_SERVICE_PHONE = env("SENDFLOW_ADVICE_SERVICE_PHONE", default="020 7946 0123")
SENDFLOW_ADVICE_SERVICE_EMAIL = env(
    "SENDFLOW_ADVICE_SERVICE_EMAIL", default="advice@sendiass.example"
)

# The outbox pipeline (notifications/services.py).
SENDFLOW_DISPATCH_BATCH = env.int("SENDFLOW_DISPATCH_BATCH", default=1000)  # rows claimed a tick
SENDFLOW_SEND_CHUNK = env.int("SENDFLOW_SEND_CHUNK", default=10)  # message ids per send task
SENDFLOW_MAX_ATTEMPTS = env.int("SENDFLOW_MAX_ATTEMPTS", default=6)
SENDFLOW_RETRY_BASE_SECONDS = env.int("SENDFLOW_RETRY_BASE_SECONDS", default=60)
SENDFLOW_RETRY_MAX_SECONDS = env.int("SENDFLOW_RETRY_MAX_SECONDS", default=3600)
SENDFLOW_QUEUED_STALE_SECONDS = env.int("SENDFLOW_QUEUED_STALE_SECONDS", default=300)
SENDFLOW_OVERDUE_ALERT_SECONDS = env.int("SENDFLOW_OVERDUE_ALERT_SECONDS", default=3600)

# Celery: the database is the queue; the broker only carries ids. The filesystem transport needs
# no server, so the embedded default runs a real worker and beat with nothing to install.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # The Twilio SDK logs every request at INFO, phone numbers included.
    "loggers": {"twilio.http_client": {"level": "WARNING"}},
}
