"""Settings come from the environment.

Default database engine is SQLite, so one can check out the code, run `make run`
and it works. Set DATABASE_URL (postgres://…) to use PostgreSQL. With DEBUG off,
the portal refuses to start unless SECRET_KEY and ALLOWED_HOSTS are set.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "True")
SECRET_KEY = os.getenv("SECRET_KEY", "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")

if DEBUG:
    SECRET_KEY = SECRET_KEY or "development-only-insecure-key"
else:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_tables2",
    "django_filters",
    "disclosures",
    "disclosures.information_requests",
    "disclosures.search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "disclosures.context_processors.staff",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The JIT compiler spent ~20 ms on each search query (its cost estimates are those of a large scan,
    # though the LIMIT stops it early): more than the query itself. The portal runs no analytics.
    # random_page_cost 1.1 (the default 4 assumes spinning disks): with it the planner prices a bitmap scan
    # of the search index correctly and stops choosing a sequential scan of millions of rows "until
    # LIMIT 1001 is reached" for terms whose matches cluster in a few disclosures (4.7 s → 10 ms).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", os.getenv("PG_OPTIONS", "-c jit=off -c random_page_cost=1.1 -c work_mem=16MB")
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The PDF worker thread writes while requests and commands do: WAL lets readers go on during a
    # write, IMMEDIATE takes the write lock when a transaction starts (so two writers wait for each
    # other instead of failing with "database is locked"), and the timeout is how long they wait.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/staff/"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

# An approved workbook is a few hundred kB; 20 MB leaves room for exports with images.
MAX_WORKBOOK_BYTES = envint("MAX_WORKBOOK_BYTES", str(20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_WORKBOOK_BYTES + 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "disclosures.uploads.SizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# When a published version's PDF is built: "background" (default; one worker thread, so
# publishing returns at once), "inline" (inside the publishing request), or "off" (built on the first
# download, or by `manage.py render_pdfs --missing`).
PDF_ON_PUBLISH = os.getenv("PDF_ON_PUBLISH", "background")
if PDF_ON_PUBLISH not in ("background", "inline", "off"):
    raise ImproperlyConfigured("PDF_ON_PUBLISH 只能是 background、inline 或 off。")
# Used in links inside emails.
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How many reverse proxies in front of the portal append the client's address to X-Forwarded-For.
# 0 (default): the rate limits key on REMOTE_ADDR, since a client can write X-Forwarded-For itself.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
# 条例第三十条 asks for "合理的补正期限" without a number: the shortest a 补正 notice may give, in working
# days. 15 by default, as long as a third party has to answer (第三十二条); a region sets its own rule here.
REQUEST_AMENDMENT_MIN_WORKDAYS = envint("REQUEST_AMENDMENT_MIN_WORKDAYS", "15")
# An online application waiting longer than this many working days for registration alerts the handlers.
REQUEST_REGISTRATION_ALERT_WORKDAYS = envint("REQUEST_REGISTRATION_ALERT_WORKDAYS", "1")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "预决算公开平台 <noreply@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}
