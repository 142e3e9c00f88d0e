"""Throughput under load, and what faults cost, of the production profile on this machine. Asserts nothing.

    .venv/bin/python bench/load.py                 # 10 s per endpoint, after a 2 s warm-up; then the faults
    .venv/bin/python bench/load.py --seconds 2     # a short run, to check that everything works
    .venv/bin/python bench/load.py --system-postgres   # the machine's PostgreSQL 15 cluster, restarted in fault (a)

It starts what production runs, with DEBUG off and the production variables (deploy/portal.env.example):
- PostgreSQL: by default a private server (initdb in a temporary folder, on a free port), so that restarting
  it disturbs nobody; with --system-postgres the machine's cluster (127.0.0.1:5432), restarted with
  `pg_ctlcluster 15 main restart` — only on a machine nothing else is using. Either way a new database,
  migrated and filled with the demo data (`manage.py load_demo`, PDF builds off), dropped at the end;
- a private Redis (`redis-server --port <free>`), the cache (REDIS_URL);
- gunicorn with deploy/gunicorn.conf.py, 3 sync workers, no recycling after N requests during the run.

The load: 8 client threads, each with its own http.client connection (kept open when the server allows;
gunicorn's sync workers close it after each answer, as behind nginx's own keep-alive they would not), sending
what nginx would: Host, X-Forwarded-Proto: https, Accept-Encoding: gzip. Per endpoint: req/s, latency
p50/p95/p99 and the ratio to the trivial view (/healthz: one SELECT 1 and a cache write and read). Target: a
cached disclosure page at ≥ 50 % of the trivial view's throughput.

Faults, each during a load of the public pages and the API (a mix), the fault a third of the way in:
(a) PostgreSQL restarted: errors while it is down, and when they stop; req/s before and after;
(b) one gunicorn worker killed (SIGKILL; the master starts another): at most its request in progress fails;
(c) Redis stopped: the pages keep being served (200s), slower; then started again.
The client and the server share the machine's cores, as they did for the figures in the README.
"""

import argparse
import gzip
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = Path(sys.executable).with_name("gunicorn")
PG_BIN = Path("/usr/lib/postgresql/15/bin")
CLIENTS = 8
WORKERS = 3
TARGET_RATIO = 0.5
HEADERS = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "Accept-Encoding": "gzip", "User-Agent": "bench-load"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(*args):
    print(*args, flush=True)


# ---------------------------------------------------------------------------
# The services
# ---------------------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL 15 server of our own: initdb in a temporary folder, run as the postgres account."""

    def __init__(self, workdir: Path):
        self.dir = workdir / "pgdata"
        self.port = free_port()
        self.log = workdir / "postgres.log"

    def _pg(self, *args, check=True):
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, args)], check=check, capture_output=True, text=True
        )

    def start(self):
        self.dir.mkdir()
        shutil.chown(self.dir, "postgres")
        shutil.chown(self.dir.parent, "postgres")
        self._pg(PG_BIN / "initdb", "-D", self.dir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale", "C.UTF-8")
        self._pg_ctl("start")

    def _pg_ctl(self, action):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        return self._pg(PG_BIN / "pg_ctl", "-D", self.dir, "-l", self.log, "-o", options, "-w", "-m", "fast", action)

    def restart(self):
        self._pg_ctl("restart")

    def stop(self):
        self._pg(PG_BIN / "pg_ctl", "-D", self.dir, "-m", "immediate", "-w", "stop", check=False)

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}"


class SystemPostgres:
    """The machine's cluster (PostgreSQL 15 "main", 127.0.0.1:5432, trust for 127.0.0.1)."""

    port = 5432
    url = "postgres://postgres@127.0.0.1:5432"

    def start(self):
        pass

    def restart(self):
        subprocess.run(["pg_ctlcluster", "15", "main", "restart"], check=True, capture_output=True)

    def stop(self):
        pass


def create_database(server, name):
    import psycopg

    with psycopg.connect(f"{server.url}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(server, name):
    import psycopg

    for _ in range(20):  # gunicorn's connections may take a moment to go
        try:
            with psycopg.connect(f"{server.url}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.OperationalError:
            time.sleep(0.5)


class Redis:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.dir = workdir
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


def production_env(database_url, redis_url, workdir):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DEBUG")}
    env.update(
        PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="False",
        SECRET_KEY="bench-load-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz", ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url, DB_CONN_MAX_AGE="60", REDIS_URL=redis_url, PDF_ON_PUBLISH="off",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https", EMAIL_CONSOLE_IN_PRODUCTION="True",
        PERSONAL_DATA_KEYS="mW5wQ0ZbVx1gA8Jr3dJ3Gm4Jt6yGq1Xh0lq8U2b7w9M=", PERSONAL_DATA_HASH_KEY="h" * 64,
        MEDIA_ROOT=str(workdir / "media"), STATIC_ROOT=str(workdir / "static"), LOG_LEVEL="ERROR",
    )  # fmt: skip
    for name in ("CELERY_BROKER_URL", "S3_BUCKET", "EMAIL_HOST"):
        env.pop(name, None)  # tasks run in-process; files on disk; no mail sent
    return env


def manage(env, *args):
    run = subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}")


class Gunicorn:
    def __init__(self, env, workdir: Path):
        self.port = free_port()
        self.env = dict(env, WEB_CONCURRENCY=str(WORKERS), GUNICORN_BIND=f"127.0.0.1:{self.port}")
        self.log = workdir / "gunicorn.log"
        self.process = None

    def start(self):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--max-requests", "0",
                 "--access-logfile", str(self.log.with_name("access.log")), "portal.wsgi"],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            if len(self.workers()) == WORKERS:
                try:
                    if get(self.port, "/healthz")[0] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer:\n{self.log.read_text()[-3000:]}")

    def workers(self):
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=HEADERS)
        response = connection.getresponse()
        body = response.read()
        return response.status, gzip.decompress(body) if response.getheader("Content-Encoding") == "gzip" else body
    finally:
        connection.close()


# ---------------------------------------------------------------------------
# The load
# ---------------------------------------------------------------------------


def load(port, paths, seconds, clients=CLIENTS):
    """`clients` threads GET `paths` in turn for `seconds`: a list of (started, seconds taken, status or error)."""
    records, lock = [], threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(offset):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, i = [], offset
        while (started := time.monotonic()) < stop_at:
            path = paths[i % len(paths)]
            i += 1
            try:
                connection.request("GET", path, headers=HEADERS)
                response = connection.getresponse()
                response.read()
                outcome = response.status
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                outcome = type(error).__name__
                connection.close()
                time.sleep(0.01)  # a refused connection fails at once: do not spin
            mine.append((started, time.monotonic() - started, outcome))
        connection.close()
        with lock:
            records.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(records)


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def summary(records, seconds):
    ok = sorted(taken for _, taken, outcome in records if outcome == 200)
    errors = sum(1 for *_, outcome in records if outcome != 200)
    return {
        "requests": len(records),
        "errors": errors,
        "rps": len(ok) / seconds,
        "p50": percentile(ok, 0.50) * 1000,
        "p95": percentile(ok, 0.95) * 1000,
        "p99": percentile(ok, 0.99) * 1000,
    }


def throughput(port, endpoints, seconds, warmup, rounds):
    """Each endpoint for `seconds` in all, in `rounds` turns taken in order: a change in what else the machine
    is doing then weighs on every endpoint alike, not on the one measured at that moment."""
    for label, path in endpoints:
        load(port, [path], warmup)
    records = {path: [] for _, path in endpoints}
    for _ in range(rounds):
        for label, path in endpoints:
            records[path] += load(port, [path], seconds / rounds)
    rows = [(label, path, summary(records[path], seconds)) for label, path in endpoints]
    trivial = next(row[2]["rps"] for row in rows if row[0] == "trivial view")
    say(f"\nThroughput: {CLIENTS} clients, {WORKERS} gunicorn workers, {seconds:g} s per endpoint in {rounds} turns, "
        f"after {warmup:g} s of warm-up")
    say(f"{'endpoint':<30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs trivial':>11}")
    for label, path, s in rows:
        say(f"{label:<30} {s['rps']:>8.0f} {s['p50']:>8.1f} {s['p95']:>8.1f} {s['p99']:>8.1f} {s['errors']:>7} "
            f"{s['rps'] / trivial:>10.0%}")  # fmt: skip
    page = next(row[2]["rps"] for row in rows if row[0] == "disclosure page (cached)")
    verdict = "OK" if page >= TARGET_RATIO * trivial else "UNDER"
    say(f"target: cached disclosure page ≥ {TARGET_RATIO:.0%} of the trivial view: {page / trivial:.0%} {verdict}")
    return rows


def fault_run(label, port, paths, seconds, fault, expectation):
    """Load `paths` for `seconds`; `fault()` runs a third of the way in. Prints errors and recovery."""
    began = time.monotonic()
    window = {}

    def injector():
        time.sleep(seconds / 3)
        window["start"] = time.monotonic()
        fault()
        window["end"] = time.monotonic()

    thread = threading.Thread(target=injector)
    thread.start()
    records = load(port, paths, seconds)
    thread.join()
    start, end = window["start"], window["end"]
    before = [r for r in records if r[0] < start]
    during = [r for r in records if start <= r[0]]
    errors = [r for r in during if r[2] != 200]
    last_error = max((r[0] + r[1] for r in errors), default=None)
    # "after": from one second after the last error (or the fault's end) to the end of the run.
    settle = max(end, last_error or end) + 1
    after = [r for r in records if r[0] >= settle]
    after_seconds = max(0.001, began + seconds - settle)
    kinds = {}
    for *_, outcome in errors:
        kinds[outcome] = kinds.get(outcome, 0) + 1
    return {
        "fault": label,
        "took": end - start,
        "errors": len(errors),
        "kinds": ", ".join(f"{k}×{n}" for k, n in sorted(kinds.items(), key=str)) or "—",
        "errors_until": (last_error - start) if last_error else 0.0,
        "rps_before": summary(before, start - began)["rps"] if start > began else 0.0,
        "rps_after": summary(after, after_seconds)["rps"] if after else 0.0,
        "after_errors": sum(1 for r in after if r[2] != 200),
        "expectation": expectation,
        "ok_during": sum(1 for r in during if r[2] == 200),
    }


def print_faults(results):
    say("\nFaults (load: a mix of the public pages and the API; the fault a third of the way in)")
    say(f"{'fault':<28} {'took s':>7} {'errors':>7} {'errors until s':>15} {'req/s before':>13} {'req/s after':>12} "
        f"{'200s during':>12}  expected / error kinds")  # fmt: skip
    for r in results:
        say(f"{r['fault']:<28} {r['took']:>7.1f} {r['errors']:>7} {r['errors_until']:>15.1f} {r['rps_before']:>13.0f} "
            f"{r['rps_after']:>12.0f} {r['ok_during']:>12}  {r['expectation']}; {r['kinds']}")  # fmt: skip
        if r["after_errors"]:
            say(f"  ! {r['after_errors']} errors after the recovery point")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="load per endpoint (default 10)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up per endpoint (default seconds/5, at least 1)")
    parser.add_argument("--fault-seconds", type=float, default=None, help="length of each fault run (default 1.5 × seconds, at least 6)")
    parser.add_argument("--system-postgres", action="store_true", help="use and restart the machine's cluster 15/main")
    parser.add_argument("--no-faults", action="store_true")
    args = parser.parse_args()
    warmup = args.warmup if args.warmup is not None else max(1.0, args.seconds / 5)
    fault_seconds = args.fault_seconds or max(6.0, 1.5 * args.seconds)

    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    postgres = SystemPostgres() if args.system_postgres else PrivatePostgres(workdir)
    redis = Redis(workdir)
    database = f"portal_load_{os.getpid()}"
    server = None
    try:
        say(f"PostgreSQL ({'the machine’s cluster' if args.system_postgres else 'private'}, port {postgres.port}), "
            "Redis (private), migrate, demo data…")  # fmt: skip
        postgres.start()
        redis.start()
        create_database(postgres, database)
        env = production_env(f"{postgres.url}/{database}", redis.url, workdir)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")  # hashed names, as deployed (the pages link them)
        manage(env, "load_demo")
        manage(env, "rebuild_search_index")
        server = Gunicorn(env, workdir)
        server.start()
        port = server.port

        disclosures = json.loads(get(port, "/api/v1/disclosures?page_size=100")[1])["results"]
        first = disclosures[0]
        page = f"/disclosures/{first['id']}/"
        endpoints = [
            ("disclosure page (cached)", page),
            ("department page (cached)", f"/departments/{first['department']['id']}/"),
            ("search", "/search/?q=%E5%85%AC%E5%8A%A1%E7%94%A8%E8%BD%A6"),  # 公务用车
            ("API regions", "/api/v1/regions"),
            ("API version detail", f"/api/v1/disclosures/{first['id']}/versions/{first['current_version']}"),
            ("trivial view", "/healthz"),
        ]
        for label, path in endpoints:
            status, _ = get(port, path)
            if status != 200:
                raise RuntimeError(f"{label} {path}: {status}\n{server.log.read_text()[-4000:]}")
        throughput(port, endpoints, args.seconds, warmup, rounds=3 if args.seconds >= 6 else 1)
        if args.no_faults:
            return

        mix = [path for label, path in endpoints if label not in ("trivial view", "search")]
        results = []

        def kill_a_worker():
            os.kill(server.workers()[0], signal.SIGKILL)

        def stop_redis():
            redis.stop()

        results.append(fault_run("(a) PostgreSQL restarted", port, mix, fault_seconds, postgres.restart,
                                 "errors while it restarts, none after"))  # fmt: skip
        results.append(fault_run("(b) a gunicorn worker killed", port, mix, fault_seconds, kill_a_worker,
                                 "at most 1 error"))  # fmt: skip
        results.append(fault_run("(c) Redis stopped", port, mix, fault_seconds, stop_redis, "no errors"))
        redis.start()  # on the same port: the cache is used again after the portal's retry delay
        time.sleep(6)
        back = summary(load(port, mix, max(2.0, args.seconds / 2)), max(2.0, args.seconds / 2))
        print_faults(results)
        say(f"Redis started again: {back['rps']:.0f} req/s, {back['errors']} errors")
    finally:
        if server:
            server.stop()
        redis.stop()
        if args.system_postgres:
            try:
                drop_database(postgres, database)
            except Exception as error:
                say(f"could not drop {database}: {error}")
        postgres.stop()  # the private server, with its folder below
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
