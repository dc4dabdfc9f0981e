"""Settings for sendflow: one module, every deployment difference an environment variable.

With no environment at all the defaults run the service and its tests on one machine with no
servers to install: SQLite, a filesystem Celery broker, console email and SMS.
"""

import ipaddress
import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # runtime files of the embedded default (database, broker, outboxes)
(VAR_DIR / "broker").mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; never committed

# "production" turns on the start-up refusals below. Without it they still apply when the site
# answers to a real host name with DEBUG off: that is production too, whatever it is called.
SENDFLOW_ENV = env("SENDFLOW_ENV", default="local")
if SENDFLOW_ENV not in ("local", "production"):
    raise ImproperlyConfigured(f"SENDFLOW_ENV is '{SENDFLOW_ENV}': set it to local or production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])


def _is_loopback(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


PRODUCTION = SENDFLOW_ENV == "production" or (
    not DEBUG and not all(_is_loopback(host) for host in ALLOWED_HOSTS)
)

# The built-in key only serves the embedded default; production must set its own.
DEV_SECRET_KEY = "dev-only-insecure-key-set-DJANGO_SECRET_KEY"
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")


def _weak_secret_key(key: str) -> str:
    """What is wrong with a production key, in words, or "" (Django's deploy check's tests, made
    a refusal: a warning nobody reads leaves the sessions forgeable)."""
    if not key:
        return "missing"
    if key == DEV_SECRET_KEY:
        return "the built-in development key"
    if key.lower().startswith(("change-me", "changeme", "django-insecure-")):
        return "still the example value"
    if len(key) < 50:
        return f"only {len(key)} characters"
    if len(set(key)) < 5:
        return f"only {len(set(key))} different characters repeated"
    return ""


if PRODUCTION and (problem := _weak_secret_key(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY is {problem}: in production set it to a random string of at least "
        "50 characters, made with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is on: in production its error pages show settings and every URL; "
        "remove DJANGO_DEBUG or set it to false"
    )
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
BEHIND_TLS_PROXY = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
# How many proxies append to X-Forwarded-For in front of the app (a CDN before the TLS proxy
# makes 2): the client's address is that many entries from the end (sendflow/throttle.py).
SENDFLOW_TRUSTED_PROXY_HOPS = env.int("SENDFLOW_TRUSTED_PROXY_HOPS", default=1)
if SENDFLOW_TRUSTED_PROXY_HOPS < 1:
    raise ImproperlyConfigured(
        f"SENDFLOW_TRUSTED_PROXY_HOPS is {SENDFLOW_TRUSTED_PROXY_HOPS}: set it to the number of "
        "proxies in front of sendflow (1 or more), or leave it unset for 1"
    )
if BEHIND_TLS_PROXY:
    # The proxy terminates HTTPS and says so in X-Forwarded-Proto; trust it only when told to.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
# HTTPS only, once behind the TLS proxy: each may be turned off (0 / false) on its own. Try a
# short DJANGO_SECURE_HSTS_SECONDS first: browsers remember it for that long.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=BEHIND_TLS_PROXY)
SECURE_HSTS_SECONDS = env.int(
    "DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if BEHIND_TLS_PROXY else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=BEHIND_TLS_PROXY
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=BEHIND_TLS_PROXY)

INSTALLED_APPS = [
    "casework.admin_site.SendflowAdminConfig",  # django.contrib.admin, with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "phonenumber_field",
    "axes",
    "csp",
    "auditlog",
    # Second factor for admin logins (TOTP); before governance, which re-registers its admin.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "workflows",
    "notifications",
    "governance",
    "casework",  # on top: the screens that compose the rest; nothing imports it
    "reports",  # on top: reads the others, nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Serves the admin's CSS and JS itself, so `make run` and a bare gunicorn look right.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sendflow.throttle.FamilyLinkThrottleMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): was this session's login confirmed with a code?
    "django_otp.middleware.OTPMiddleware",
    # Unconfirmed admin sessions: to the log-in page, or (SENDFLOW_REQUIRE_2FA) to set-up.
    "governance.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who changed what, and from which address (django-auditlog), the proxy-aware way.
    "governance.middleware.AuditlogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

# Scripts only from our own static files: the admin (Django 5.2 has no inline scripts) and the
# family pages (none at all), plus the one inline script of django-celery-beat's periodic task
# form, allowed by its hash (tests/sendflow/test_web_security.py fails if it changes). Inline
# styles stay allowed: the admin's templates and ours use them, and they cannot run code.
CELERY_BEAT_FORM_SCRIPT = "'sha256-QE3U2xYF7B4J2ro1/9oxiKhaWCGW39gB7ocQ/xlD0bE='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CELERY_BEAT_FORM_SCRIPT],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Failed admin logins (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair waits AXES_COOLOFF_MINUTES. force_login in tests bypasses it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair before the check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "sendflow.throttle.client_ip"
# Guesses at family links (/f/<token>/, /stop/<token>/): this many 404s from one address in the
# window, and that address gets a 429 until the window ends.
# Second factor (django-otp, TOTP): any admin login can turn it on from "Two-factor sign-in";
# from then on the log-in page asks for a code. SENDFLOW_REQUIRE_2FA=true makes it required:
# a login without a confirmed app is sent to the set-up page before any admin page.
SENDFLOW_REQUIRE_2FA = env.bool("SENDFLOW_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "sendflow"  # the name the authenticator app shows beside the code
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the device admin never shows a secret key
SENDFLOW_LINK_MISS_LIMIT = env.int("SENDFLOW_LINK_MISS_LIMIT", default=20)
SENDFLOW_LINK_MISS_WINDOW_SECONDS = env.int("SENDFLOW_LINK_MISS_WINDOW_SECONDS", default=600)
# The throttles' counters: one process's memory by default; Redis (CACHE_URL) shares them
# between gunicorn workers.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

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
    # The reports' covering indexes (INCLUDE) are plain indexes here; SQLite's reports are
    # small. Said once in this comment rather than on every command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
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
# Family-facing text goes through Django's translation machinery; a reviewed translation goes in
# locale/<code>/LC_MESSAGES/django.po (compilemessages), offered once its message templates exist.
LOCALE_PATHS = [BASE_DIR / "locale"]
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

# Email: console by default; SMTP, GOV.UK Notify or an ESP (django-anymail) in production. A short
# name (console, file, locmem, smtp, notify) or a dotted path.
_EMAIL_BACKENDS = {
    "console": "notifications.backends.console.ConsoleEmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "notify": "notifications.backends.notify.NotifyDjangoEmailBackend",
}
EMAIL_BACKEND = env("EMAIL_BACKEND", default="console")
EMAIL_BACKEND = _EMAIL_BACKENDS.get(EMAIL_BACKEND, EMAIL_BACKEND)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "outbox" / "email"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # Django's default is to wait forever
# For the SMTP backend, Django's own names.
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="sendflow <reminders@sendflow.invalid>")

# SMS: a short name (console, file, locmem, twilio, notify) or a dotted path.
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

# GOV.UK Notify (public-sector services only), for texts, emails or both, through pass-through
# templates: ((body)) for texts; ((subject)) and ((body)) for emails.
NOTIFY_API_KEY = env("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_SMS_TEMPLATE_ID = env("NOTIFY_SMS_TEMPLATE_ID", default="")
NOTIFY_EMAIL_TEMPLATE_ID = env("NOTIFY_EMAIL_TEMPLATE_ID", default="")
NOTIFY_SMS_SENDER_ID = env("NOTIFY_SMS_SENDER_ID", default="")
NOTIFY_EMAIL_REPLY_TO_ID = env("NOTIFY_EMAIL_REPLY_TO_ID", default="")
# The Bearer token Notify sends with delivery receipts and received texts (set on Notify's
# callbacks page). Unset: the callbacks refuse everything, and texts end with a stop link, not
# "Reply STOP" (Notify has no STOP handling of its own: sendflow reads the replies).
NOTIFY_CALLBACK_TOKEN = env("NOTIFY_CALLBACK_TOKEN", default="")
NOTIFY_FREE_TEXT_FRAGMENTS = env.int("NOTIFY_FREE_TEXT_FRAGMENTS", default=10000)
NOTIFY_TIMEOUT_SECONDS = env.float("NOTIFY_TIMEOUT_SECONDS", default=10.0)
_NOTIFY_KEY = re.compile(r"\A\S+(-[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}){2}\Z")
_NOTIFY_USED = {
    "SMS_BACKEND": (SMS_BACKEND == "notify", "NOTIFY_SMS_TEMPLATE_ID", NOTIFY_SMS_TEMPLATE_ID),
    "EMAIL_BACKEND": (
        EMAIL_BACKEND.endswith("NotifyDjangoEmailBackend"),
        "NOTIFY_EMAIL_TEMPLATE_ID",
        NOTIFY_EMAIL_TEMPLATE_ID,
    ),
}
for _setting, (_used, _template_name, _template) in _NOTIFY_USED.items():
    if _used and not (NOTIFY_API_KEY and _template):
        raise ImproperlyConfigured(
            f"{_setting} is notify: set NOTIFY_API_KEY and {_template_name} (the pass-through "
            "template's id)"
        )
    if _used and not _NOTIFY_KEY.match(NOTIFY_API_KEY):
        raise ImproperlyConfigured(
            f"{_setting} is notify but NOTIFY_API_KEY is not a GOV.UK Notify API key: copy the "
            "whole key from Notify's API integration page (its name, then two long ids)"
        )

SENDFLOW_PUBLIC_URL = env("SENDFLOW_PUBLIC_URL", default="http://localhost:8000")
SENDFLOW_QUIET_HOURS = env("SENDFLOW_QUIET_HOURS", default="20:00-09:00")  # Europe/London
if not re.fullmatch(r"\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}\s*", SENDFLOW_QUIET_HOURS):
    raise ImproperlyConfigured(
        f"SENDFLOW_QUIET_HOURS is '{SENDFLOW_QUIET_HOURS}': write it as HH:MM-HH:MM, "
        "like 20:00-09:00"
    )
# Who families should contact: printed in every message and on every family page. The local
# defaults are placeholders for development (020 7946 0xxx is an Ofcom number reserved for
# drama); production refuses to start without the real ones.
SENDFLOW_ADVICE_SERVICE_NAME = env("SENDFLOW_ADVICE_SERVICE_NAME", default="Example SENDIASS")
SENDFLOW_ADVICE_SERVICE_PHONE = env("SENDFLOW_ADVICE_SERVICE_PHONE", default="020 7946 0123")
SENDFLOW_ADVICE_SERVICE_EMAIL = env(
    "SENDFLOW_ADVICE_SERVICE_EMAIL", default="advice@sendiass.example"
)
# When the service answers the phone, Europe/London, closed on England and Wales bank holidays:
# days and HH:MM-HH:MM, several separated by commas ("Mon-Thu 09:00-17:00, Fri 09:00-16:30";
# a day named twice has two spans). The family page shows it in words ("Monday to Friday, 9am
# to 5pm") and says "call today" only when the service is open that day
# (notifications/service_hours.py).
SENDFLOW_ADVICE_SERVICE_HOURS = env("SENDFLOW_ADVICE_SERVICE_HOURS", default="Mon-Fri 09:00-17:00")
_DAY = r"(mon|tue|wed|thu|fri|sat|sun)"
_SPAN = rf"\s*{_DAY}(\s*-\s*{_DAY})?\s+([01]\d|2[0-3]):[0-5]\d\s*-\s*([01]\d|2[0-3]):[0-5]\d\s*"
if not re.fullmatch(rf"{_SPAN}(,{_SPAN})*", SENDFLOW_ADVICE_SERVICE_HOURS, re.IGNORECASE) or any(
    closes <= opens  # zero-padded HH:MM compare as text
    for opens, closes in re.findall(r"(\d\d:\d\d)\s*-\s*(\d\d:\d\d)", SENDFLOW_ADVICE_SERVICE_HOURS)
):
    raise ImproperlyConfigured(
        f"SENDFLOW_ADVICE_SERVICE_HOURS is '{SENDFLOW_ADVICE_SERVICE_HOURS}': write it as days "
        "and HH:MM-HH:MM (opening before closing), several separated by commas, like "
        "Mon-Fri 09:00-17:00 or Mon-Thu 09:00-17:00, Fri 09:00-16:30"
    )
_ADVICE_SERVICE = (
    "SENDFLOW_ADVICE_SERVICE_NAME",
    "SENDFLOW_ADVICE_SERVICE_PHONE",
    "SENDFLOW_ADVICE_SERVICE_EMAIL",
)
if PRODUCTION and (unset := [name for name in _ADVICE_SERVICE if not env(name, default="")]):
    raise ImproperlyConfigured(
        f"{' and '.join(unset)} unset: in production set who families contact (printed in "
        "every message)"
    )

# A closed case is erased this many days after it closed (six years by default), nightly.
SENDFLOW_RETENTION_DAYS = env.int("SENDFLOW_RETENTION_DAYS", default=2190)
SENDFLOW_RETENTION_BATCH = env.int("SENDFLOW_RETENTION_BATCH", default=100)  # cases a transaction

# The reports' estimate of what texts cost: pence per SMS segment (Twilio's UK rate is about 4p;
# GOV.UK Notify's free allowance makes it 0 until it is used up).
SENDFLOW_SMS_SEGMENT_PENCE = env.float("SENDFLOW_SMS_SEGMENT_PENCE", default=4.0)

# Change history (django-auditlog): JSON before/after values, stored as JSON.
AUDITLOG_STORE_JSON_CHANGES = True

# The outbox pipeline (notifications/services.py).
# /healthz: beat dispatches every minute, so five without one is a stopped beat.
SENDFLOW_BEAT_STALE_SECONDS = env.int("SENDFLOW_BEAT_STALE_SECONDS", default=300)
SENDFLOW_HEALTH_TIMEOUT = env.int("SENDFLOW_HEALTH_TIMEOUT", default=3)  # seconds, the broker
SENDFLOW_DISPATCH_BATCH = env.int("SENDFLOW_DISPATCH_BATCH", default=1000)  # rows claimed a tick
SENDFLOW_SEND_CHUNK = env.int("SENDFLOW_SEND_CHUNK", default=10)  # message ids per send task
SENDFLOW_MAX_ATTEMPTS = env.int("SENDFLOW_MAX_ATTEMPTS", default=6)
SENDFLOW_RETRY_BASE_SECONDS = env.int("SENDFLOW_RETRY_BASE_SECONDS", default=60)
SENDFLOW_RETRY_MAX_SECONDS = env.int("SENDFLOW_RETRY_MAX_SECONDS", default=3600)
SENDFLOW_QUEUED_STALE_SECONDS = env.int("SENDFLOW_QUEUED_STALE_SECONDS", default=300)
SENDFLOW_OVERDUE_ALERT_SECONDS = env.int("SENDFLOW_OVERDUE_ALERT_SECONDS", default=3600)

# Celery: the database is the queue; the broker only carries ids. The filesystem transport needs
# no server, so the embedded default runs a real worker and beat with nothing to install. Its
# URL names a host (unused) because kombu warns on every connection of one that does not.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost//")
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
# Beat writes each task's last run to the database after every send, not every 3 minutes:
# /healthz reads the dispatch task's last run, which would otherwise say "never dispatched" for
# a new beat's first minutes and lag a live one by up to 3 (one small write a minute).
CELERY_BEAT_SYNC_EVERY = 1
# Anything a library prints in a worker is logged at INFO, not as a WARNING (Celery's default):
# Django's own console email backend prints each email whole, which read as a warning per send.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Masks addresses and private links in lines we do not write ourselves (sendflow.privacy).
    "filters": {"redact": {"()": "sendflow.privacy.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The Twilio SDK logs every request at INFO, phone numbers included.
        "twilio.http_client": {"level": "WARNING"},
        # Request logs print the path, and a family's path holds its token; Celery's workers
        # replace the console handler, so these carry the filter themselves.
        "django.request": {"filters": ["redact"]},
        # runserver's request lines (Django's own config for it, plus the filter).
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact"],
        },
        # django-axes says "BEGIN" at INFO on every start, into every command's output.
        "axes.apps": {"level": "WARNING"},
        # The console backends log whole messages at DEBUG: shown on a dev machine, never in
        # production.
        "sendflow.sms": {"level": "INFO" if PRODUCTION else "DEBUG"},
        "sendflow.email": {"level": "INFO" if PRODUCTION else "DEBUG"},
    },
}
