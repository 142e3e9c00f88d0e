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
    # Static files answered here, before sessions, CSP and audit; still redirected to HTTPS and given HSTS above.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before everything that reads or writes the body: it compresses what the rest produced (portal/compression.py).
    "portal.compression.TextGZipMiddleware",
    # Early, so that every audit event recorded while handling the request has its address (等保 2.0 安全审计).
    "disclosures.audit_context.AuditContextMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The Chinese 404 and 500 pages for public pages even with DEBUG on (staff and /admin/ keep the technical ones).
    "portal.errors.PublicErrorPagesMiddleware",
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
        # A persistent connection is checked before a request reuses it, so the first request after a
        # database restart reconnects instead of failing.
        conn_health_checks=True,
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

# —— Cache, rate limits and sessions ——
# Without REDIS_URL (`make run`, tests) each process has its own memory cache: fine for one process, but
# behind several gunicorn workers each would count the rate limits on its own, and a restart resets them.
# With REDIS_URL (redis://[:password@]host:6379/0) all processes share one Redis (portal/cache.py): "default"
# for rendered tables and pages, where an unreachable Redis is a miss; "limits" for the request-form rate
# limits and the status-lookup lockout, where it is a refusal (HTTP 503). Sessions then live in the database
# with a copy in the cache (cached_db): a Redis restart signs no one out.
REDIS_URL = os.getenv("REDIS_URL", "")
if REDIS_URL:
    from portal.cache import redis_caches

    CACHES = redis_caches(REDIS_URL)
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # One memory store under two prefixes, so that clearing the cache (as tests do) clears the limits too.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"},
        "limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal", "KEY_PREFIX": "limits"},
    }  # fmt: skip

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# WhiteNoise serves static files from gunicorn (nginx serves STATIC_ROOT itself when in front). Decided by the
# environment's DEBUG, not the test runner's: `make run` and tests serve them from the app folders as they are.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

# —— Media (uploaded workbooks, published PDFs, request letters and reply files) ——
# Reached only through Django's storage API, so any number of web servers share them. By default the folder
# MEDIA_ROOT (`make run`); with S3_BUCKET set, an S3-compatible object store (MinIO, SeaweedFS, a cloud's OSS/COS
# with S3 API) through django-storages. The bucket is private: drafts' workbooks, request letters and reply files
# must never be reachable by URL, so every object is written with a private ACL and a download is a redirect to
# a signed URL that expires after S3_URL_EXPIRY seconds (disclosures/downloads.py, after the view's own checks).
S3_BUCKET = os.getenv("S3_BUCKET", "")
S3_URL_EXPIRY = envint("S3_URL_EXPIRY", "60")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.getenv("S3_ENDPOINT_URL") or None,  # empty: AWS itself
            "access_key": os.getenv("S3_ACCESS_KEY_ID") or None,  # empty: boto3's own chain (instance role…)
            "secret_key": os.getenv("S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.getenv("S3_REGION") or "us-east-1",
            "addressing_style": os.getenv("S3_ADDRESSING_STYLE") or None,  # "path" for most self-hosted servers
            "signature_version": "s3v4",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": S3_URL_EXPIRY,
            # Django's rule (a free name is found, e.g. two workbooks called 预算.xlsx): S3Storage would overwrite.
            "file_overwrite": False,
        },
    }
# With the files on this server's disk and nginx in front: downloads answer with X-Accel-Redirect to this
# prefix (an `internal` nginx location aliasing MEDIA_ROOT), so nginx, not a gunicorn worker, sends the bytes.
MEDIA_ACCEL_REDIRECT_PREFIX = os.getenv("MEDIA_ACCEL_REDIRECT_PREFIX", "")
# Static files: with DEBUG off, `collectstatic` writes hashed names (cached for a year by browsers and nginx)
# with gzip and brotli copies beside them. With DEBUG on (`make run`, tests) the plain storage, so that
# templates work without collectstatic.
if not DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

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

# —— Mail: acknowledgements and decisions to applicants, deadlines to handlers, password resets ——
# SMTP as soon as EMAIL_HOST is set. With DEBUG off the console backend is refused: it would write applicants'
# notices (names, addresses, decisions) into the server log instead of sending them.
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")  # STARTTLS, usually port 587
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "False")  # TLS from the start, usually port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
EMAIL_PORT = envint("EMAIL_PORT", "465" if EMAIL_USE_SSL else "587" if EMAIL_USE_TLS else "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
# Seconds; Django's default is to wait forever, holding a web worker or a Celery worker on a dead relay.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "10")
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_CONSOLE_IN_PRODUCTION = envbool("EMAIL_CONSOLE_IN_PRODUCTION", "False")
if not DEBUG and EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend" and not EMAIL_CONSOLE_IN_PRODUCTION:
    raise ImproperlyConfigured(
        "EMAIL_HOST must be set when DEBUG is off (mail would go to the server log); "
        "set EMAIL_CONSOLE_IN_PRODUCTION=True to accept that."
    )
# —— Text messages: notices to applicants who gave a phone and no e-mail (information_requests/sms) ——
# The console backend (the default) only logs them, the phone masked, and records no delivery; set
# "disclosures.information_requests.sms.aliyun.AliyunBackend" and the key, 签名 and template to send.
SMS_BACKEND = os.getenv("SMS_BACKEND", "disclosures.information_requests.sms.console.ConsoleBackend")
SMS_ACCESS_KEY_ID = os.getenv("SMS_ACCESS_KEY_ID", "")
SMS_ACCESS_KEY_SECRET = os.getenv("SMS_ACCESS_KEY_SECRET", "")
SMS_SIGN_NAME = os.getenv("SMS_SIGN_NAME", "")
SMS_TEMPLATE_CODE = os.getenv("SMS_TEMPLATE_CODE", "")
SMS_ENDPOINT = os.getenv("SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
SMS_TIMEOUT = envint("SMS_TIMEOUT", "10")
# When a published version's PDF is built: "task" (default; a Celery task queued when publication
# commits, so publishing returns at once — see the Celery block below), "inline" (inside the publishing
# request), or "off" (built on the first download, or by `manage.py render_pdfs --missing`).
# "background" is the former name of "task".
PDF_ON_PUBLISH = os.getenv("PDF_ON_PUBLISH", "task").replace("background", "task")
if PDF_ON_PUBLISH not in ("task", "inline", "off"):
    raise ImproperlyConfigured("PDF_ON_PUBLISH 只能是 task、inline 或 off。")
# When the bulk downloads of /open-data/ are rebuilt after a publication: "task" (default, as PDF_ON_PUBLISH),
# "inline" or "off" (then by `manage.py build_bulk_archives` and the daily sweep of the beat schedule).
BULK_ARCHIVES_ON_PUBLISH = os.getenv("BULK_ARCHIVES_ON_PUBLISH", "task")
if BULK_ARCHIVES_ON_PUBLISH not in ("task", "inline", "off"):
    raise ImproperlyConfigured("BULK_ARCHIVES_ON_PUBLISH 只能是 task、inline 或 off。")
# Used in links inside emails.
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# —— Open data ——
# The licence of the published data, shown in the footer of public pages, on /open-data/, in the API
# (/api/v1/ and info.license of its OpenAPI document) and in every datapackage.json (`licenses`): an Open
# Definition / SPDX identifier, the licence's URL and its title.
OPEN_DATA_LICENSE_NAME = os.getenv("OPEN_DATA_LICENSE_NAME", "CC-BY-4.0")
OPEN_DATA_LICENSE_URL = os.getenv("OPEN_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/")
OPEN_DATA_LICENSE_TITLE = os.getenv("OPEN_DATA_LICENSE_TITLE", "知识共享署名 4.0 国际许可协议（CC BY 4.0）")
# How many reverse proxies in front of the portal append the client's address to X-Forwarded-For.
# 0 (default): the rate limits key on REMOTE_ADDR, since a client can write X-Forwarded-For itself.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")

# —— Behind the reverse proxy (deploy/nginx/portal.conf ends TLS) ——
# The proxy says the request came over HTTPS in a header, e.g. "HTTP_X_FORWARDED_PROTO,https". Without it
# Django takes every request for plain HTTP: the HTTPS redirect loops and every POST fails the CSRF origin
# check (Origin https://… against http://…). Set it only when the proxy, which overwrites that header, is the
# only way to gunicorn (bound to 127.0.0.1 or a private network).
if os.getenv("SECURE_PROXY_SSL_HEADER"):
    _proxy_ssl_header = envlist("SECURE_PROXY_SSL_HEADER")
    if len(_proxy_ssl_header) != 2 or not _proxy_ssl_header[0].startswith("HTTP_"):
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be a header and a value, e.g. HTTP_X_FORWARDED_PROTO,https.")
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)
# Origins, besides the request's own host, whose POSTs are accepted (scheme included); SITE_URL when it is https.
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", SITE_URL if SITE_URL.startswith("https://") else "")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
# A load balancer's or monitor's probe may speak plain HTTP to gunicorn directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# A year by default. Browsers remember it: when first moving a site to HTTPS, start with a few minutes.
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", str(not DEBUG))
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", str(not DEBUG))
# The shortest time audit events are kept, in days (网络安全法第二十一条: network logs at least six months).
# The portal never deletes audit events; `manage.py archive_audit` copies only events at least this old.
AUDIT_RETENTION_DAYS = envint("AUDIT_RETENTION_DAYS", "180")
# 条例第三十条 asks for "合理的补正期限" without a number: the shortest a 补正 notice may give, in working
# days. 15 by default, as long as a third party has to answer (第三十二条); a region sets its own rule here.
REQUEST_AMENDMENT_MIN_WORKDAYS = envint("REQUEST_AMENDMENT_MIN_WORKDAYS", "15")
# An online application waiting longer than this many working days for registration alerts the handlers.
REQUEST_REGISTRATION_ALERT_WORKDAYS = envint("REQUEST_REGISTRATION_ALERT_WORKDAYS", "1")
# Files an applicant attaches to an application or an amendment (身份证明, 其他材料): PDF, JPEG, PNG, DOCX or
# XLSX, each at most this many bytes, at most this many per form.
REQUEST_ATTACHMENT_MAX_BYTES = envint("REQUEST_ATTACHMENT_MAX_BYTES", str(5 * 1024 * 1024))
REQUEST_ATTACHMENT_MAX_FILES = envint("REQUEST_ATTACHMENT_MAX_FILES", "5")
# 条例第四十四条: how many different applicants (by ID number) asking for the same disclosed information make
# the staff pages suggest publishing it proactively, and how alike two descriptions must be (0 to 1) to count as
# the same information.
REQUEST_PROACTIVE_MIN_APPLICANTS = envint("REQUEST_PROACTIVE_MIN_APPLICANTS", "2")
REQUEST_PROACTIVE_SIMILARITY = float(os.getenv("REQUEST_PROACTIVE_SIMILARITY", "0.8"))
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

# —— Background work: Celery workers (portal/celery.py) ——
# The broker: the machine's Redis ("redis://127.0.0.1:6379/1", another database than REDIS_URL's cache) or
# RabbitMQ ("amqp://guest:guest@127.0.0.1//"). Unset (make run, the tests): no broker, no worker; every task
# runs in-process when it is queued (eagerly), the PDF build on a thread of its own (disclosures/exports/receivers.py).
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "")
# Where task results are kept: the PDF's parts (disclosures/exports/pdf_parts.py) are merged when a chord of
# them has finished, which needs one, and `render_pdfs` follows the builds with it. By default the broker's
# Redis; with RabbitMQ as the broker set it to a Redis ("redis://127.0.0.1:6379/2").
CELERY_RESULT_BACKEND = os.getenv("CELERY_RESULT_BACKEND") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else None
)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# The one queue web servers send to and workers take from; tests give each run its own.
CELERY_TASK_DEFAULT_QUEUE = os.getenv("CELERY_TASK_DEFAULT_QUEUE", "celery")
# A task is acknowledged when it has finished, not when a worker takes it, and a worker that dies in the middle
# gives it back: a killed worker loses no PDF and no e-mail (every task is idempotent). One task at a time per
# worker process, so a PDF build never waits behind another one prefetched by a busy process.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Task modules a worker loads besides the apps' tasks.py: the PDF's parts, which publication only reaches lazily.
CELERY_IMPORTS = ("disclosures.exports.pdf_parts",)
# Seconds one PDF build may take (an 18-table budget takes 2–7 s; the soft limit raises inside the layout,
# the hard one kills the process).
PDF_BUILD_SOFT_TIME_LIMIT = envint("PDF_BUILD_SOFT_TIME_LIMIT", "300")
PDF_BUILD_TIME_LIMIT = PDF_BUILD_SOFT_TIME_LIMIT + 60
# Redis has no acknowledgements of its own: a task taken by a worker that is killed goes back to the queue
# CELERY_VISIBILITY_TIMEOUT seconds after it was taken (RabbitMQ gives it back at once, when the connection
# drops). It must be longer than the longest task (PDF_BUILD_TIME_LIMIT, an e-mail's retry delay), or a task
# still running is handed to a second worker as well.
# (tests/test_celery_worker.py sets 10 s to see a killed worker's build finished by another one).
CELERY_VISIBILITY_TIMEOUT = envint("CELERY_VISIBILITY_TIMEOUT", "600")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Look for such tasks every few seconds (kombu's default looks every 100 s).
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 5)),
    "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# `celery -A portal beat`: the daily jobs (Asia/Shanghai) and the sweep for published versions without a PDF.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    # Just after midnight: a deadline that ran out yesterday closes the request today.
    "expire-requests": {"task": "information_requests.expire_requests", "schedule": crontab(hour=0, minute=30)},
    # Before office hours: the reminders are in the mailbox when staff arrive.
    "send-reminders": {"task": "disclosures.send_reminders", "schedule": crontab(hour=7, minute=0)},
    "sweep-missing-pdfs": {"task": "disclosures.sweep_missing_pdfs", "schedule": 300.0},
    # At night: bulk downloads a lost task left stale (an unchanged archive is not rewritten).
    "rebuild-bulk-archives": {"task": "disclosures.rebuild_bulk_archives", "schedule": crontab(hour=3, minute=15)},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
    # A worker logs at INFO (`celery -A portal worker -l info`): WeasyPrint's seven steps per page part are noise.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}
