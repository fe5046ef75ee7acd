"""Keyward's benchmark: how fast a private key is checked, against the floor and two libraries.

    make bench                      # installs the "bench" extra, then runs: python bench/bench.py --scale
    python bench/bench.py [--keys 10000] [--scale] [--scale-keys 1000000] [--quick]

Prints one table in four sections (per-call verification, requests per second, queries per request, scale);
docs/performance.md says what each measures and records a run. It reports figures and never fails.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import timeit
import traceback
import urllib.request
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLE = 200  # distinct good keys cycled through, so lookups are not all the same row
GUNICORN = Path(sys.executable).with_name("gunicorn")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=10_000, help="keys of each kind (default 10,000)")
    parser.add_argument("--database-url", help="database for sections 1-3 (default: a temporary SQLite file)")
    parser.add_argument("--scale", action="store_true", help="run section 4 on PostgreSQL")
    parser.add_argument("--scale-keys", type=int, default=1_000_000, help="keys stored for the large case")
    parser.add_argument("--scale-minutes", type=float, default=10, help="time box for storing them")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run, not a measurement)")
    parser.add_argument(
        "--only",
        default="1,2,2b,2c,3",
        help="comma-separated sections to run (default 1,2,2b,2c,3; --scale adds 4)",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))

    workdir = Path(tempfile.mkdtemp(prefix="kw-bench-"))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    bench = Bench(quick=args.quick)
    failed = False
    try:
        bench.machine()
        bench.populate(args.keys)
        for section, run in [
            ("1", bench.verification),
            ("2", bench.throughput),
            ("2b", bench.breakdown),
            ("2c", bench.stacks),
            ("3", bench.queries),
        ]:
            if section in only:
                run()
        if args.scale:
            bench.scale(args.scale_keys, args.scale_minutes * 60)
    except Exception:  # noqa: BLE001  (print what was measured, then the error)
        failed = True
        traceback.print_exc()
    finally:
        bench.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
    bench.print_table()
    if failed:
        print("\nA section stopped with an error (above); the table holds what was measured before it.")
    return 0  # a benchmark reports; it never fails a build


class Bench:
    def __init__(self, quick: bool):
        self.quick = quick
        self.rows: list[tuple[str, str, str, str]] = []  # section, measure, value, goal
        self.notes: list[str] = []
        self.gunicorn: subprocess.Popen | None = None
        self.scale_db_created = False
        self.stack_db_created = False
        self.redis = None

    # -- helpers -------------------------------------------------------------------------------------

    def row(self, section, measure, value, goal=""):
        """Add a line to the table; ``goal`` is what the issues ask for, shown beside it (never enforced)."""
        self.rows.append((section, measure, value, goal))

    def per_call(self, fn, number: int) -> float:
        """Return the best per-call time in microseconds over several rounds."""
        rounds = 3 if self.quick else 7
        number = max(1, number // (10 if self.quick else 1))
        fn()  # warm caches and connections
        return min(timeit.Timer(fn).repeat(repeat=rounds, number=number)) / number * 1e6

    def start_gunicorn(self, workers: int, **environment: str) -> str:
        """Serve the bench's settings with gunicorn on a free 127.0.0.1 port; return its base URL once up."""
        port = free_port()
        self.gunicorn = subprocess.Popen(
            [str(GUNICORN), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers",
             str(workers), "--log-level", "warning"],
            cwd=ROOT, env={**os.environ, **environment}, start_new_session=True,
        )  # fmt: skip
        base_url = f"http://127.0.0.1:{port}"
        wait_for(f"{base_url}/bench/no-auth/")
        return base_url

    def stop_gunicorn(self) -> None:
        if self.gunicorn is not None and self.gunicorn.poll() is None:
            os.killpg(self.gunicorn.pid, signal.SIGTERM)
            self.gunicorn.wait(timeout=15)
        self.gunicorn = None

    @property
    def bearer(self) -> str:
        """The Authorization header of the bench's own full-access key."""
        return f"Authorization: Bearer {self.secret}"

    def log(self, message: str) -> None:
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    # -- setup ---------------------------------------------------------------------------------------

    def machine(self) -> None:
        from django.db import connection

        cpu = "unknown"
        if Path("/proc/cpuinfo").exists():
            found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
            cpu = found.group(1) if found else cpu
        db = database_version(connection)
        self.header = [
            f"machine   nproc {len(os.sched_getaffinity(0))}, {cpu}, {platform.platform()}",
            f"software  Python {platform.python_version()}, Django {version('django')}, {db}, "
            f"djangorestframework-api-key {version('djangorestframework-api-key')}, "
            f"django-rest-knox {version('django-rest-knox')}",
        ]

    def populate(self, count: int) -> None:
        """Store ``count`` keys of ours, of djangorestframework-api-key and of knox, in one database."""
        from django.core.management import call_command
        from knox.models import AuthToken
        from rest_framework_api_key.models import APIKey

        from accounts.models import Account, User
        from apikeys import scopes

        self.log(f"migrating and storing {count:,} keys of each kind")
        call_command("migrate", verbosity=0)
        self.count = count
        accounts = [Account.objects.create(name=f"Bench {n}") for n in range(10)]
        owner = User.objects.create_user("bench@bench.test", "bench")
        self.secrets = insert_keys("default", accounts, count - 1)[:SAMPLE]
        self.key, self.secret = _issue(accounts[0], owner, scopes.FULL_ACCESS)

        generator = APIKey.objects.key_generator
        drf_keys, self.drf_rows = [], []
        for n in range(count):
            key, prefix, hashed = generator.generate()
            drf_keys.append(key)
            self.drf_rows.append((f"{prefix}.{hashed}", prefix, hashed, f"k{n}"))
        insert_drf_keys("default", self.drf_rows)
        self.drf_keys = drf_keys[:SAMPLE]

        from knox.crypto import create_token_string, hash_token
        from knox.settings import CONSTANTS

        filler = User.objects.create_user("filler@bench.test", "bench")
        tokens = [create_token_string() for _ in range(count)]
        # One token per bench user: knox's check also loads every other token of the token's user.
        users = User.objects.bulk_create(
            [User(email=f"knox{n}@bench.test", password="!") for n in range(SAMPLE)], batch_size=1000
        )
        AuthToken.objects.bulk_create(
            [
                AuthToken(
                    token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH],
                    digest=hash_token(token),
                    user=users[n] if n < SAMPLE else filler,
                    expiry=None,
                )
                for n, token in enumerate(tokens)
            ],
            batch_size=1000,
        )
        self.knox_tokens = tokens[:SAMPLE]

    def cleanup(self) -> None:
        self.stop_gunicorn()
        from django.db import connections

        connections.close_all()
        if self.scale_db_created:
            drop_database(scale_url())
        if self.stack_db_created:
            drop_database(alias_url("stack"))
        if self.redis is not None:
            self.redis.stop()

    # -- 1. per-call verification ------------------------------------------------------------------------

    def verification(self) -> None:
        from django.conf import settings
        from django.db import connection
        from django.test import override_settings
        from knox.auth import TokenAuthentication
        from rest_framework_api_key.models import APIKey

        from apikeys import secrets
        from apikeys.models import PrivateKey
        from apikeys.verification import _Statement, verify

        self.log("1. per-call verification")
        section = f"1. verify, {self.count:,} keys each, {connection.vendor}"
        timed = self.verify_and_floor(connection, self.secrets)
        ours, floor = timed["verify"], timed["floor"]
        self.row(section, "floor: verify's SELECT through connection.cursor()", us(floor))
        if connection.vendor == "sqlite":
            raw = connection.connection  # the sqlite3 connection under Django's wrapper
            qmark = _Statement.get(connection, 1).sql.replace("%s", "?")
            digests = itertools.cycle([[secrets.digest(s)] for s in self.secrets])
            bare = self.per_call(lambda: raw.execute(qmark, next(digests)).fetchone(), 20_000)
            self.row(section, "bare sqlite3, same SELECT (for reference)", us(bare))
        self.row(section, "keyward apikeys.verification.verify", us(ours))
        self.row(section, "  ratio to the floor", f"{ours / floor:.2f}x")
        with override_settings(API_KEY_PEPPERS=[*settings.API_KEY_PEPPERS, "bench-pepper-retired"]):
            rotation = self.verify_and_floor(connection, self.secrets)
        self.row(
            section,
            "  two peppers (during a rotation)",
            f"{us(rotation['verify'])} = {rotation['verify'] / rotation['floor']:.2f}x its floor",
        )
        bad = self.secrets[0][:-1] + ("A" if self.secrets[0][-1] != "A" else "B")
        bad_checksum = self.per_call(lambda: verify(bad), 50_000)
        self.row(section, "keyward, bad checksum (no query)", us(bad_checksum))
        orm = self.per_call(cycle_call(PrivateKey.objects.for_secret, self.secrets), 5_000)
        self.row(section, "keyward through the ORM (for_secret, for reference)", us(orm))

        drf = self.per_call(cycle_call(APIKey.objects.get_from_key, self.drf_keys), 5_000)
        self.row(section, "djangorestframework-api-key get_from_key", us(drf))
        self.row(section, "  verify faster than get_from_key by", f"{drf / ours:.1f}x")
        knox_check = TokenAuthentication().authenticate_credentials
        knox = self.per_call(cycle_call(knox_check, [t.encode() for t in self.knox_tokens]), 5_000)
        self.row(section, "django-rest-knox authenticate_credentials", us(knox))
        self.row(section, "  verify faster than knox by", f"{knox / ours:.1f}x")

    def verify_and_floor(self, connection, sample: list[str]) -> dict[str, float]:
        """Time verify and the floor on the same keys, interleaved, in the given database.

        The floor is verify's own statement, run as verify runs it: ``with connection.cursor()``,
        ``execute`` with the digests, ``fetchone``.
        """
        from django.conf import settings

        from apikeys import secrets
        from apikeys.verification import _Statement, verify

        statement = _Statement.get(connection, len(settings.API_KEY_PEPPERS))
        digests = itertools.cycle([[secrets.digest(s, p) for p in settings.API_KEY_PEPPERS] for s in sample])

        def verify_here(secret):
            return verify(secret, using=connection.alias)

        assert all(verify_here(s) is not None for s in sample), "bench keys must verify"

        def floor_call():
            with connection.cursor() as cursor:
                cursor.execute(statement.sql, next(digests))
                cursor.fetchone()

        # A call on PostgreSQL is a round trip over the loopback, ten times SQLite's: a tenth of the calls
        # gives rounds as long, and section 4 minutes instead of a quarter of an hour.
        number = 20_000 if connection.vendor == "sqlite" else 2_000
        timings = {"floor": [], "verify": []}
        for _ in range(3):  # interleaved, so drift on a shared machine hits all alike
            timings["floor"].append(self.per_call(floor_call, number))
            timings["verify"].append(self.per_call(cycle_call(verify_here, sample), number))
        return {name: min(values) for name, values in timings.items()}

    # -- 2. throughput ---------------------------------------------------------------------------------

    def record_body(self) -> None:
        """Give the reference views /api/key/'s body (BENCH_BODY), so that every view sends the same."""
        from django.test import Client

        client = Client()
        response = client.get("/api/key/", HTTP_AUTHORIZATION=f"Bearer {self.secret}")
        assert response.status_code == 200, response.content
        os.environ["BENCH_BODY"] = response.content.decode()
        assert client.get("/bench/no-auth/").content == response.content, "both views must send the same body"

    def throughput(self) -> None:
        from django.test import Client

        self.log("2. throughput through the test client")
        section = "2. requests/s, /api/key/ vs no-auth view"
        client = Client()
        auth = {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"}
        self.record_body()
        drf_auth = {"HTTP_AUTHORIZATION": f"Api-Key {self.drf_keys[0]}"}
        assert client.get("/bench/drf-api-key/", **drf_auth).status_code == 200

        def rate(path, **extra):
            return 1e6 / self.per_call(lambda: client.get(path, **extra), 2_000)

        base, ours, drf = [], [], []
        for _ in range(2):
            base.append(rate("/bench/no-auth/"))
            ours.append(rate("/api/key/", **auth))
            drf.append(rate("/bench/drf-api-key/", **drf_auth))
        base, ours, drf = max(base), max(ours), max(drf)
        self.row(section, "test client: no-auth JSON view", f"{base:,.0f}/s")
        self.row(section, "test client: /api/key/ with a key", f"{ours:,.0f}/s")
        self.row(section, "  ratio", f"{ours / base:.2f}x")
        self.row(section, "  djangorestframework-api-key view, ratio", f"{drf / base:.2f}x")

        wrk = load_generator()
        if not wrk:
            self.row(section, "gunicorn + wrk", "skipped: wrk not installed")
            self.notes.append("Install wrk (apt-get install wrk) to measure throughput under gunicorn.")
            return
        self.log("2. throughput under gunicorn (2 workers) and wrk")
        base_url = self.start_gunicorn(workers=2)
        header = self.bearer
        seconds = 3 if self.quick else 10
        wrk_base, wrk_ours, wrk_drf = [], [], []
        for _ in range(2):
            wrk_base.append(run_wrk(wrk, f"{base_url}/bench/no-auth/", None, seconds))
            wrk_ours.append(run_wrk(wrk, f"{base_url}/api/key/", header, seconds))
            wrk_drf.append(
                run_wrk(
                    wrk,
                    f"{base_url}/bench/drf-api-key/",
                    f"Authorization: Api-Key {self.drf_keys[0]}",
                    seconds,
                )
            )
        self.stop_gunicorn()
        base, ours, drf = max(wrk_base), max(wrk_ours), max(wrk_drf)
        self.row(section, "gunicorn 2 workers + wrk: no-auth JSON view", f"{base:,.0f}/s")
        self.row(section, "gunicorn 2 workers + wrk: /api/key/ with a key", f"{ours:,.0f}/s")
        self.row(section, "  ratio", f"{ours / base:.2f}x")
        self.row(section, "  djangorestframework-api-key view, ratio", f"{drf / base:.2f}x")

    def breakdown(self) -> None:
        """CPU time per request in one gunicorn worker, adding one piece of /api/key/'s work at a time.

        Requests/s hide where the time goes; the worker's own CPU time (utime + stime from /proc) divided
        by the requests wrk completed shows it, one view a step closer to /api/key/ than the last.
        """
        wrk = load_generator()
        if not wrk or not Path("/proc/self/stat").exists():
            return
        self.log("2b. CPU per request, piece by piece (gunicorn, 1 worker)")
        section = "2b. CPU per request in one gunicorn worker, piece by piece (utime + stime)"
        os.environ["BENCH_SECRET"] = self.secret  # for verify-only; the process environment, never a URL
        base_url = self.start_gunicorn(workers=1)
        worker = gunicorn_worker(self.gunicorn.pid)
        header = self.bearer
        steps = [
            ("no-auth JSON view", "/bench/no-auth/"),
            ("+ one SELECT 1 through Django's cursor", "/bench/select-1/"),
            ("+ verify instead (format, digest, SELECT, row)", "/bench/verify-only/"),
            ("+ the rest of authenticate (client IP, usage count, last use)", "/bench/authenticate-only/"),
            ("/api/key/ (the real view)", "/api/key/"),
        ]
        # Two passes, one view after the other, and the least of each view's two: a neighbour that takes the
        # CPU for a while inflates one pass of a few views, not both passes of the same one.
        cpu = {path: [] for _, path in steps}
        for _ in range(2):
            for _, path in steps:
                seconds = 2 if self.quick else 5
                cpu[path].append(cpu_per_request(wrk, f"{base_url}{path}", header, worker, seconds))
        self.stop_gunicorn()
        base = min(cpu[steps[0][1]])
        for label, path in steps:
            least = min(cpu[path])
            self.row(section, label, f"{least:,.0f} µs = {least / base:.2f}x")

    def stacks(self) -> None:
        """/api/key/ against djangorestframework-api-key and against one indexed SELECT, on both stacks.

        gunicorn and wrk, the three views interleaved over several rounds, each view's best kept.
        """
        wrk = load_generator()
        section = "2c. requests/s under gunicorn (2 workers) + wrk, by stack"
        if not wrk:
            self.row(section, "skipped", "wrk not installed")
            return
        from apikeys import secrets

        stacks = [("SQLite + local memory", os.environ["DATABASE_URL"], "locmemcache://", self.secret)]
        try:
            stacks.append(("PostgreSQL + Redis", *self.stack_database()))
        except Exception as error:  # noqa: BLE001  (report why the second stack is missing, then go on)
            self.row(section, "PostgreSQL + Redis", f"skipped: {str(error).strip()[:70]}")
        seconds, rounds = (3, 1) if self.quick else (5, 3)
        self.record_body()
        for name, database_url, cache_url, secret in stacks:
            self.log(f"2c. {name}: /api/key/, djangorestframework-api-key, one indexed SELECT")
            environment = {"DATABASE_URL": database_url, "CACHE_URL": cache_url}
            base_url = self.start_gunicorn(2, BENCH_DIGEST=secrets.digest(secret), **environment)
            views = {
                "/api/key/": f"Authorization: Bearer {secret}",
                "/bench/drf-api-key/": f"Authorization: Api-Key {self.drf_keys[0]}",
                "/bench/indexed-select/": None,
            }
            rates = {path: [] for path in views}
            for _ in range(rounds):
                for path, header in views.items():
                    rates[path].append(run_wrk(wrk, f"{base_url}{path}", header, seconds))
            self.stop_gunicorn()
            ours, drf, select = (max(rates[path]) for path in views)
            self.row(section, f"{name}: /api/key/", f"{ours:,.0f}/s")
            self.row(section, f"{name}: djangorestframework-api-key view", f"{drf:,.0f}/s")
            self.row(section, f"{name}: one indexed SELECT, same body", f"{select:,.0f}/s")
            self.row(section, "  /api/key/ to djangorestframework-api-key", f"{ours / drf:.2f}x", ">= 1.5x")
            self.row(section, "  /api/key/ to one indexed SELECT", f"{ours / select:.2f}x", ">= 0.85x")

    def stack_database(self) -> tuple[str, str, str]:
        """Make the PostgreSQL + Redis stack: a database with the same keys, and a redis-server of its own.

        Return its database URL, cache URL and the secret of its full-access key.
        """
        from django.core.management import call_command

        from accounts.models import Account
        from apikeys import scopes
        from tests.faults.services import RedisServer

        url = alias_url("stack")
        create_database(url)
        self.stack_db_created = True
        self.log(f"2c. migrating {url.rsplit('/', 1)[-1]} and storing the same number of keys")
        call_command("migrate", database="stack", verbosity=0)
        accounts = [Account.objects.using("stack").create(name=f"Bench {n}") for n in range(10)]
        insert_keys("stack", accounts, self.count - 1)
        (secret,) = insert_keys("stack", accounts[:1], 1, name="Bench", scope_set=sorted(scopes.FULL_ACCESS))
        insert_drf_keys("stack", self.drf_rows)
        from django.db import connections

        analyze(connections["stack"])
        self.redis = RedisServer().start()
        return url.replace("postgresql://", "postgres://", 1), self.redis.url, secret

    # -- 3. queries ------------------------------------------------------------------------------------

    def queries(self) -> None:
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from apikeys import secrets

        self.log("3. queries per request")
        section = "3. queries per /api/key/ request"
        client = Client()
        bad = self.secret[:-1] + ("A" if self.secret[-1] != "A" else "B")
        cases = [
            ("good key", self.secret, 200, 1),
            ("bad checksum", bad, 401, 0),
            ("unknown key", secrets.generate(), 401, 1),
        ]
        client.get("/api/key/", HTTP_AUTHORIZATION=f"Bearer {self.secret}")  # last use written: steady state
        for name, secret, status, target in cases:
            with CaptureQueriesContext(connection) as captured:
                response = client.get("/api/key/", HTTP_AUTHORIZATION=f"Bearer {secret}")
            assert response.status_code == status, response.content
            count = len(captured.captured_queries)
            self.row(section, name, str(count), f"{target} (the tests assert it)")

    # -- 4. scale --------------------------------------------------------------------------------------

    def scale(self, total: int, time_box: float) -> None:
        from django.core.management import call_command
        from django.db import connections

        from accounts.models import Account

        url = scale_url()
        section = f"4. verify on PostgreSQL, 1,000 vs {total:,} keys"
        try:
            create_database(url)
        except Exception as error:  # noqa: BLE001  (report any reason PostgreSQL is unusable, then go on)
            self.row(section, "skipped", f"PostgreSQL unavailable: {str(error).strip()[:60]}")
            return
        self.scale_db_created = True
        self.log(f"4. scale: migrating {url.rsplit('/', 1)[-1]}")
        call_command("migrate", database="scale", verbosity=0)
        connection = connections["scale"]
        accounts = [Account.objects.using("scale").create(name=f"Scale {n}") for n in range(10)]
        sample = insert_keys("scale", accounts, 1_000)[:SAMPLE]
        analyze(connection)
        small = self.verify_and_floor(connection, sample)

        self.log(f"4. scale: storing {total - 1_000:,} more keys")
        started = time.monotonic()
        stored = 1_000 + insert_filler_keys(connection, total - 1_000, time_box, self.log)
        analyze(connection)
        self.log(f"4. scale: stored in {time.monotonic() - started:.0f} s")
        if stored < total:
            self.notes.append(f"--scale stored {stored:,} keys of {total:,} within its time box.")
            total = stored
        large = self.verify_and_floor(connection, sample)
        floors = f"{us(small['floor'])} / {us(large['floor'])}"
        self.row(section, f"{database_version(connection)}, floor at 1,000 / {total:,}", floors)
        self.row(section, "verify with 1,000 keys", us(small["verify"]))
        self.row(section, f"verify with {total:,} keys", us(large["verify"]))
        ratio = large["verify"] / small["verify"]
        self.row(section, "  ratio", f"{ratio:.2f}x", "<= 1.5x")
        to_floor = large["verify"] / large["floor"]
        self.row(section, f"  verify / floor at {total:,}", f"{to_floor:.2f}x", "<= 1.5x")

    # -- output ----------------------------------------------------------------------------------------

    def print_table(self) -> None:
        widths = [max(len(row[i]) for row in self.rows) for i in range(1, 4)]
        print("\n".join(self.header))
        section = None
        for row in self.rows:
            if row[0] != section:
                section = row[0]
                print(f"\n{section}")
            goal = f"goal {row[3]}" if row[3] else ""
            cells = [row[1].ljust(widths[0]), row[2].rjust(widths[1]), goal]
            print("  " + "  ".join(cells).rstrip())
        for note in self.notes:
            print(f"\nnote: {note}")


# -- module helpers --------------------------------------------------------------------------------------


def us(microseconds: float) -> str:
    return f"{microseconds:,.1f} µs"


def cycle_call(fn, arguments):
    values = itertools.cycle(arguments)
    return lambda: fn(next(values))


def _issue(account, owner, scope_set):
    from apikeys.models import PrivateKey

    return PrivateKey.objects.issue(account, "Bench", scope_set, owner)


def insert_keys(alias: str, accounts, count: int, name="Key {n}", scope_set=None) -> list[str]:
    """Store ``count`` real keys (secrets and digests) in batches; return their secrets."""
    from apikeys import secrets
    from apikeys.models import PrivateKey

    made = []
    objects = []
    for n in range(count):
        secret = secrets.generate()
        made.append(secret)
        objects.append(
            PrivateKey(
                account=accounts[n % len(accounts)],
                name=name.format(n=n),
                scopes=scope_set or ["lists:read", "lists:write"],
                digest=secrets.digest(secret),
                pepper_id=secrets.current_pepper_id(),
                hint=secrets.hint(secret),
            )
        )
    PrivateKey.objects.using(alias).bulk_create(objects, batch_size=1000)
    return made


def insert_drf_keys(alias: str, rows) -> None:
    """Store djangorestframework-api-key's keys: ``(id, prefix, hashed_key, name)`` rows."""
    from rest_framework_api_key.models import APIKey

    objects = [
        APIKey(id=id_, prefix=prefix, hashed_key=hashed, name=name) for id_, prefix, hashed, name in rows
    ]
    APIKey.objects.using(alias).bulk_create(objects, batch_size=1000)


def insert_filler_keys(connection, count: int, time_box: float, log) -> int:
    """Store ``count`` more key rows in batches, server-side; return how many fit in the time box.

    Each copies a stored key's row (so every column, present or future, gets a valid value) with a fresh
    public id, name and random 64-hex digest: the unique digest index grows as it would with real keys.
    """
    from apikeys.models import PrivateKey

    qn = connection.ops.quote_name
    meta = PrivateKey._meta
    fresh = {
        "public_id": "gen_random_uuid()",
        "digest": "md5(n::text || random()::text) || md5(random()::text || n::text)",
        "name": "'Filler ' || n",
    }
    columns = [f.column for f in meta.concrete_fields if not f.primary_key]
    table = qn(meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)})"  # noqa: S608  (identifiers only)
        f" SELECT {', '.join(fresh.get(c, f't.{qn(c)}') for c in columns)}"
        f" FROM {table} t, generate_series(%s, %s) n WHERE t.{qn(meta.pk.column)} = %s"
    )
    template = PrivateKey.objects.using(connection.alias).order_by("pk").values_list("pk", flat=True).first()
    deadline = time.monotonic() + time_box
    stored, batch = 0, 100_000
    with connection.cursor() as cursor:
        while stored < count and time.monotonic() < deadline:
            size = min(batch, count - stored)
            cursor.execute(sql, [stored + 1, stored + size, template])
            stored += size
            log(f"   {stored:,} stored")
    return stored


def analyze(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE apikeys_privatekey")


def scale_url() -> str:
    return alias_url("scale")


def alias_url(alias: str) -> str:
    from django.conf import settings

    db = settings.DATABASES[alias]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def create_database(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {}").format(psycopg.sql.Identifier(name)))
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))


def drop_database(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {}").format(psycopg.sql.Identifier(name)))


def database_version(connection) -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  (our own 127.0.0.1 URL)
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def load_generator() -> str | None:
    """Return wrk's path when both wrk and gunicorn are installed (sections 2 and 2b need them), else None."""
    wrk = shutil.which("wrk")
    return wrk if wrk and GUNICORN.exists() else None


def gunicorn_worker(master: int, timeout: float = 20) -> int:
    """Return the pid of the one worker of a gunicorn master."""
    children = Path(f"/proc/{master}/task/{master}/children")
    deadline = time.monotonic() + timeout
    while not (pids := children.read_text().split()):
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn started no worker")
        time.sleep(0.1)
    return int(pids[0])


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def cpu_per_request(wrk: str, url: str, header: str, pid: int, seconds: int) -> float:
    """Return the microseconds of the worker's CPU time per request wrk completed on ``url``."""
    readings = []
    output = wrk_output(
        wrk, ["-t1", "-c4", "-H", header], url, seconds, around=lambda: readings.append(cpu_seconds(pid))
    )
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return (readings[1] - readings[0]) / requests * 1e6


def run_wrk(wrk: str, url: str, header: str | None, seconds: int) -> float:
    """Return requests/s."""
    output = wrk_output(wrk, ["-t2", "-c8", *(["-H", header] if header else [])], url, seconds)
    return float(re.search(r"Requests/sec:\s*([\d.]+)", output).group(1))


def wrk_output(wrk: str, options: list[str], url: str, seconds: int, around=lambda: None) -> str:
    """Warm the server for a second, then run wrk for ``seconds`` and return what it printed.

    ``around`` is called just before and just after the measured run. A run with errors is refused, as
    failed requests would flatter the rate.
    """
    subprocess.run([wrk, *options, "-d1s", url], capture_output=True, check=True)
    around()
    output = subprocess.run(
        [wrk, *options, f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    around()
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw failed requests on {url}:\n{output}")
    return output


if __name__ == "__main__":
    sys.exit(main())
