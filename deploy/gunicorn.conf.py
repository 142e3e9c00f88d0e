"""gunicorn for the portal: `gunicorn -c deploy/gunicorn.conf.py portal.wsgi` (deploy/systemd/portal-web.service).

Every value can be changed from the environment (the unit's EnvironmentFile); the defaults suit one web
server behind nginx on the same machine.
"""

import multiprocessing
import os

bind = os.getenv("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers, 2 × cores + 1 (gunicorn's own advice): a page waits on PostgreSQL and Redis about as long as
# it computes, so two per core keep the processors busy. Each costs memory (README, "Deploy"): on a small
# machine set WEB_CONCURRENCY lower rather than let the workers swap.
workers = int(os.getenv("WEB_CONCURRENCY", str(2 * multiprocessing.cpu_count() + 1)))
worker_class = "sync"

# A request taking longer than this is killed and answered 502 by nginx. Pages take milliseconds and PDFs are
# built by the Celery workers, not here; the longest are a staff upload of a 20 MB workbook (read, guard,
# import) and exports of a whole year.
timeout = int(os.getenv("GUNICORN_TIMEOUT", "60"))
# Time a worker gets to finish its requests on restart (systemctl reload sends HUP: new workers, then old ones go).
graceful_timeout = int(os.getenv("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# nginx keeps connections to gunicorn open between requests (keepalive in deploy/nginx/portal.conf).
keepalive = int(os.getenv("GUNICORN_KEEPALIVE", "5"))
# A worker is replaced after this many requests (jittered so they do not all restart together): the memory a
# long life accumulates (jieba's dictionary, WeasyPrint's fonts, fragmentation) is given back.
max_requests = int(os.getenv("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.getenv("GUNICORN_MAX_REQUESTS_JITTER", "100"))

# Whether the request came over HTTPS is Django's decision alone (SECURE_PROXY_SSL_HEADER in portal.env):
# gunicorn's own reading of X-Forwarded-Proto (trusted from 127.0.0.1 by default) is turned off, so the
# portal behaves the same whether nginx runs on this machine or another.
forwarded_allow_ips = os.getenv("FORWARDED_ALLOW_IPS", "")

# The access log goes to stdout (journald). It records the path without the query string: search terms and
# filters are the visitor's business, and request pages carry no secret in the path itself. No Referer either:
# it is another page's address with its query string. The client is the address nginx saw (X-Real-IP, set by
# nginx, where X-Forwarded-For may begin with whatever the client wrote); %(M)s is the time in milliseconds.
accesslog = os.getenv("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%({x-real-ip}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.getenv("GUNICORN_LOG_LEVEL", "info")

# The workers' heartbeat files in memory: on a slow or full disk, healthy workers would look hung and be killed.
worker_tmp_dir = os.getenv("GUNICORN_WORKER_TMP_DIR", "/dev/shm" if os.path.isdir("/dev/shm") else None)
proc_name = "portal-web"
