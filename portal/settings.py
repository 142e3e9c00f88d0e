"""Settings come from the environment.

Default database engine is SQLite, so one can check out the code, run `make run`
and it works. Set DATABASE_URL (postgres://…) to use PostgreSQL. With DEBUG off,
the portal refuses to start unless SECRET_KEY and ALLOWED_HOSTS are set.
"""

import datetime
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
    "csp",
    "disclosures",
    "disclosures.information_requests",
    "disclosures.search",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "disclosures.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that every audit event recorded while handling the request has its address (等保 2.0 安全审计).
    "disclosures.audit_context.AuditContextMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "disclosures.accounts.middleware.AccountSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
    {"NAME": "disclosures.accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "disclosures.accounts.validators.DisguisedCommonPasswordValidator"},
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

# Content-Security-Policy (等保 2.0 入侵防范 and 恶意代码防范: a page runs only this site's own scripts and
# styles; injected markup can neither run script, nor load from elsewhere, nor be framed). No page carries
# inline script, inline event handlers or style attributes (tests/test_csp.py scans the templates); the
# charts (ECharts, static/vendor) need no eval. Django's admin (5.2) works under the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# An approved workbook is a few hundred kB; 20 MB leaves room for exports with images.
MAX_WORKBOOK_BYTES = envint("MAX_WORKBOOK_BYTES", str(20 * 1024 * 1024))
# The most one part of an uploaded .xlsx/.docx (or one compressed stream of a PDF) may inflate to. The largest
# part of the seed files is 438 kB (a Word styles part; the largest worksheet 74 kB): 64 MB is ~150 times that.
MAX_ZIP_MEMBER_BYTES = envint("MAX_ZIP_MEMBER_BYTES", str(64 * 1024 * 1024))
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
# The shortest time audit events are kept, in days (网络安全法第二十一条: network logs at least six months).
# The portal never deletes audit events; `manage.py archive_audit` copies only events at least this old.
AUDIT_RETENTION_DAYS = envint("AUDIT_RETENTION_DAYS", "180")
# 条例第三十条 asks for "合理的补正期限" without a number: the shortest a 补正 notice may give, in working
# days. 15 by default, as long as a third party has to answer (第三十二条); a region sets its own rule here.
REQUEST_AMENDMENT_MIN_WORKDAYS = envint("REQUEST_AMENDMENT_MIN_WORKDAYS", "15")
# An online application waiting longer than this many working days for registration alerts the handlers.
REQUEST_REGISTRATION_ALERT_WORKDAYS = envint("REQUEST_REGISTRATION_ALERT_WORKDAYS", "1")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "预决算公开平台 <noreply@localhost>")

# —— Signing in (等保 2.0 三级 身份鉴别), see disclosures/accounts ——
# axes' backend first: it refuses a locked-out account before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# 登录失败处理: after AXES_FAILURE_LIMIT failures the account, and the address they came from, are locked
# for AXES_COOLOFF_MINUTES (an administrator can lift it at /staff/security/lockouts/).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "30"))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
# Not reset by a successful sign-in: one's own sign-in from an address would wipe the failures counted
# there against other accounts.
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "disclosures.accounts.lockout.client_ip"  # TRUSTED_PROXY_COUNT, as the rate limits
AXES_LOCKOUT_CALLABLE = "disclosures.accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# The second factor (TOTP, recovery codes) is mandatory for superusers, administrators, reviewers and
# request approvers when this is on; others may set one up.
SECOND_FACTOR_REQUIRED = envbool("SECOND_FACTOR_REQUIRED", "True")
OTP_TOTP_ISSUER = os.getenv("OTP_TOTP_ISSUER", "预决算公开平台")
# A password older than this many days must be changed before the staff pages (0: never expires).
PASSWORD_MAX_AGE_DAYS = envint("PASSWORD_MAX_AGE_DAYS", "90")
# 登录连接超时自动退出: a session unused this long is signed out (0: off); SESSION_COOKIE_AGE caps it anyway.
SESSION_IDLE_TIMEOUT_MINUTES = envint("SESSION_IDLE_TIMEOUT_MINUTES", "30")

# —— Applicants' personal data (个人信息保护法; 等保 2.0 三级 数据保密性) ——
# PERSONAL_DATA_KEYS: Fernet keys (`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`),
# comma-separated. The first encrypts ID numbers, phones, e-mails and addresses; all of them decrypt. To rotate:
# put a new key first, run `manage.py rotate_personal_data_key`, then drop the old key.
# PERSONAL_DATA_HASH_KEY: the key of the HMAC that finds repeated applications without storing the ID number in
# clear; changing it breaks the links between old and new applications, so it is not rotated.
# With DEBUG on, both are derived from SECRET_KEY; with DEBUG off the portal refuses to start without them.
PERSONAL_DATA_KEYS = envlist("PERSONAL_DATA_KEYS")
PERSONAL_DATA_HASH_KEY = os.getenv("PERSONAL_DATA_HASH_KEY", "")
if DEBUG:
    import base64
    import hashlib

    PERSONAL_DATA_KEYS = PERSONAL_DATA_KEYS or [
        base64.urlsafe_b64encode(hashlib.sha256(f"personal-data-key:{SECRET_KEY}".encode()).digest()).decode()
    ]
    PERSONAL_DATA_HASH_KEY = PERSONAL_DATA_HASH_KEY or hashlib.sha256(f"personal-data-hash:{SECRET_KEY}".encode()).hexdigest()
else:
    if not PERSONAL_DATA_KEYS:
        raise ImproperlyConfigured("PERSONAL_DATA_KEYS must be set when DEBUG is off.")
    if not PERSONAL_DATA_HASH_KEY:
        raise ImproperlyConfigured("PERSONAL_DATA_HASH_KEY must be set when DEBUG is off.")
try:
    from cryptography.fernet import Fernet

    for _key in PERSONAL_DATA_KEYS:
        Fernet(_key)
except ValueError:
    raise ImproperlyConfigured("PERSONAL_DATA_KEYS: each key must be 32 url-safe base64-encoded bytes (a Fernet key).")
# 个人信息保护法第十九条: kept no longer than the purpose needs. Years after a request closes; then
# `manage.py anonymise_requests` (run by the daily `expire_requests`) removes the applicant's identity.
PERSONAL_DATA_RETENTION_YEARS = envint("PERSONAL_DATA_RETENTION_YEARS", "3")
# 个人信息保护法第十七条: the platform operator's name and contact, printed in the privacy notice of the form.
PERSONAL_DATA_CONTROLLER_CONTACT = os.getenv("PERSONAL_DATA_CONTROLLER_CONTACT", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}
