"""Keyward's soak run: production-like servers under mixed load while Redis and PostgreSQL stumble.

    make soak                       # about 2 minutes; SOAK_SECONDS=60 make soak for one
    python bench/soak.py [--seconds 120] [--workers 3] [--concurrency 32]

Starts its own redis-server, PostgreSQL database and gunicorn on 127.0.0.1, drives API calls, tab actions
and scanning alerts while Redis stops and PostgreSQL backends die, then prints one table and exits with
status 1 naming any promise broken. What it does, and a run: docs/reliability.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import re
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.faults.services import AppServer, RedisServer, server_environment  # noqa: E402

PASSWORD = "soak-password-not-secret-0"
ACCOUNTS = 4  # one owner each, working in the tab at the same time
KEYS_PER_ACCOUNT = 25
REVOKED_PER_ACCOUNT = 5
MIN_GOOD_PER_ACCOUNT = 8  # owners deactivate and roll only above this
WINDOW_BEFORE, WINDOW_AFTER = 0.5, 3.0  # the announced 503 window around the backend kill, seconds
SCANNING_KEY_ID = "50a450a450a450a450a450a450a450a450a450a450a450a450a450a450a450a4"
SECRET = re.compile(r"pk_[A-Za-z0-9]{34}")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Key:
    public_id: str
    secret: str
    account: int
    revoked_at: float | None = None  # client clock, when the response that revoked it arrived


@dataclass
class Record:
    started: float
    ended: float
    status: int | str
    kind: str  # good, bad, revoked, tab, action, scanning
    secret: str = ""  # the API key sent, if any


@dataclass
class State:
    keys: dict[str, Key] = field(default_factory=dict)  # by secret
    good: dict[int, list[Key]] = field(default_factory=lambda: defaultdict(list))
    revoked: list[Key] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)  # keys an owner is rolling or deactivating right now
    records: list[Record] = field(default_factory=list)
    through: list[tuple[str, float]] = field(default_factory=list)  # (key, seconds after revocation)
    succeeded: Counter = field(default_factory=Counter)  # 200s per key secret
    events: list[tuple[str, str]] = field(default_factory=list)  # (public_id, action) the tab confirmed
    faults: list[tuple[float, str]] = field(default_factory=list)
    kill_at: float | None = None

    def good_key(self) -> Key | None:
        pools = [pool for pool in self.good.values() if pool]
        return random.choice(random.choice(pools)) if pools else None

    def revoke(self, key: Key, at: float) -> None:
        if key in self.good[key.account]:
            self.good[key.account].remove(key)
        key.revoked_at = at
        self.revoked.append(key)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 120)))
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--concurrency", type=int, default=32, help="API calls in flight (default 32)")
    args = parser.parse_args()
    database_url = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/keyward_soak")
    if urlsplit(database_url).path.strip("/") == "keyward":
        sys.exit("SOAK_DATABASE_URL: the soak drops its database; give it one of its own, not 'keyward'.")

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    github_key = ec.generate_private_key(ec.SECP256R1())
    pem = (
        github_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )

    def sign(body: bytes) -> str:
        return base64.b64encode(github_key.sign(body, ec.ECDSA(hashes.SHA256()))).decode()

    redis_server = RedisServer().start()
    server = None
    try:
        environment = server_environment(
            database_url,
            redis_server.url,
            EMAIL_URL="dummymail://",
            SECRET_SCANNING_PUBLIC_KEYS=json.dumps({SCANNING_KEY_ID: pem}),
        )
        os.environ.update(environment)
        recreate_database(database_url)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        state, owners = populate()
        server = AppServer(environment, workers=args.workers)
        print(
            f"Soak: {args.seconds:.0f} s, gunicorn {args.workers} workers on {server.port}, Redis on "
            f"{redis_server.port}, {database_url.rsplit('/', 1)[-1]}, {args.concurrency} API calls in flight",
            flush=True,
        )
        server.start()
        asyncio.run(drive(server.url, state, owners, args, redis_server, database_url, sign))
    finally:
        if server is not None:
            server.stop()  # SIGTERM: every worker writes its usage counts at exit
        redis_server.stop()
    broken = report(state, server, args)
    if broken:
        print(f"\nFAILED: {', '.join(broken)}")
    return 1 if broken else 0


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.strip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def populate() -> tuple[State, list[str]]:
    from accounts.models import Account, Membership, User
    from accounts.roles import Role
    from apikeys import scopes
    from apikeys.models import PrivateKey

    state = State()
    owners = []
    for number in range(ACCOUNTS):
        account = Account.objects.create(name=f"Soak {number}")
        email = f"owner{number}@soak.test"
        user = User.objects.create_user(email=email, password=PASSWORD)
        Membership.objects.create(user=user, account=account, role=Role.OWNER)
        owners.append(email)
        for n in range(KEYS_PER_ACCOUNT + REVOKED_PER_ACCOUNT):
            key, secret = PrivateKey.objects.issue(account, f"Soak key {n}", scopes.READ_ONLY, user)
            entry = Key(str(key.public_id), secret, number)
            state.keys[secret] = entry
            if n < KEYS_PER_ACCOUNT:
                state.good[number].append(entry)
            else:
                key.deactivate(by=user, reason="Revoked before the soak")
                entry.revoked_at = 0.0
                state.revoked.append(entry)
    return state, owners


async def drive(base_url, state, owners, args, redis_server, database_url, sign) -> None:
    limits = httpx.Limits(max_connections=args.concurrency + 2 * ACCOUNTS + 4)
    async with httpx.AsyncClient(base_url=base_url, timeout=15, limits=limits) as api:
        start = time.monotonic()
        end = start + args.seconds
        tasks = [asyncio.create_task(api_caller(api, state, end)) for _ in range(args.concurrency)]
        tasks += [
            asyncio.create_task(owner(base_url, number, email, state, end))
            for number, email in enumerate(owners)
        ]
        tasks.append(asyncio.create_task(scanner(api, state, end, sign)))
        tasks.append(asyncio.create_task(faults(state, start, args.seconds, redis_server, database_url)))
        await asyncio.gather(*tasks)


async def timed(state: State, kind: str, request, secret: str = "") -> httpx.Response | None:
    started = time.monotonic()
    try:
        response = await request
        status = response.status_code
    except httpx.HTTPError as error:
        response, status = None, type(error).__name__
    state.records.append(Record(started, time.monotonic(), status, kind, secret))
    return response


async def api_caller(api: httpx.AsyncClient, state: State, end: float) -> None:
    while time.monotonic() < end:
        draw = random.random()
        if draw < 0.15:
            kind, secret = "bad", "pk_" + "".join(random.choices("abcdefghijkLMNOP0123456789", k=34))
        elif draw < 0.30 and state.revoked:
            kind, secret = "revoked", random.choice(state.revoked).secret
        else:
            key = state.good_key()
            if key is None:
                await asyncio.sleep(0.01)
                continue
            kind, secret = "good", key.secret
        started = time.monotonic()
        call = api.get("/api/key/", headers={"Authorization": f"Bearer {secret}"})
        response = await timed(state, kind, call, secret)
        if response is None:
            continue
        key = state.keys.get(secret)
        if response.status_code == 200 and key is not None:
            state.succeeded[secret] += 1
            if key.revoked_at is not None and started > key.revoked_at:
                state.through.append((secret, started - key.revoked_at))


async def owner(base_url: str, number: int, email: str, state: State, end: float) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=15) as tab:
        page = await tab.get("/login/")
        token = CSRF_INPUT.search(page.text).group(1)
        response = await tab.post(
            "/login/", data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 302, f"log-in failed: {response.status_code}"
        made = 0
        while time.monotonic() < end:
            await timed(state, "tab", tab.get("/settings/api-keys/"))
            pool = state.good[number]
            action = random.choice(["create", "clone", "roll", "deactivate", "detail"])
            if action in ("roll", "deactivate") and len(pool) <= MIN_GOOD_PER_ACCOUNT:
                action = "create"
            key = random.choice(pool) if pool else None
            if key is not None and action in ("roll", "deactivate"):
                if key.secret in state.claimed or key.revoked_at is not None:
                    continue
                state.claimed.add(key.secret)  # the scanner leaves it alone; the API keeps calling it
            if action == "detail" and key is not None:
                await timed(state, "tab", tab.get(f"/settings/api-keys/{key.public_id}/"))
            elif action == "create":
                made += 1
                data = {
                    "name": f"Made in the soak {number}-{made}",
                    "access": "read_only",
                    "expires": "never",
                }
                await reveal(tab, state, number, "/settings/api-keys/new/", data, "created")
            elif action == "clone" and key is not None:
                if await reveal(
                    tab, state, number, f"/settings/api-keys/{key.public_id}/clone/", {}, "cloned"
                ):
                    state.events.append((key.public_id, "cloned"))  # the source records it too
            elif action == "roll" and key is not None:
                response = await post(
                    tab, state, f"/settings/api-keys/{key.public_id}/roll/", {"grace": "now"}
                )
                if response is not None and response.headers.get("Location", "").endswith("/reveal/"):
                    state.revoke(key, time.monotonic())
                    state.events.append((key.public_id, "rolled"))
                    await read_secret(tab, state, number, response, "rolled")  # the new key's event
            elif action == "deactivate" and key is not None:
                response = await post(
                    tab, state, f"/settings/api-keys/{key.public_id}/deactivate/", {"reason": "Soak"}
                )
                if response is not None and response.status_code == 302:
                    state.revoke(key, time.monotonic())
                    state.events.append((key.public_id, "deactivated"))
            await asyncio.sleep(random.uniform(0.05, 0.3))


async def post(tab: httpx.AsyncClient, state: State, path: str, data: dict) -> httpx.Response | None:
    return await timed(
        state, "action", tab.post(path, data={**data, "csrfmiddlewaretoken": tab.cookies["csrftoken"]})
    )


async def reveal(tab, state: State, number: int, path: str, data: dict, action: str) -> bool:
    response = await post(tab, state, path, data)
    if response is None or not response.headers.get("Location", "").endswith("/reveal/"):
        return False
    await read_secret(tab, state, number, response, action)
    return True


async def read_secret(tab, state: State, number: int, response: httpx.Response, action: str) -> None:
    """Follow the redirect to the one-time reveal; the new key joins the API's good keys."""
    location = response.headers["Location"]
    page = await timed(state, "tab", tab.get(location))
    found = SECRET.search(page.text) if page is not None and page.status_code == 200 else None
    if found is None:
        return
    public_id = location.strip("/").split("/")[-2]
    entry = Key(public_id, found.group(0), number)
    state.keys[entry.secret] = entry
    state.good[number].append(entry)
    state.events.append((public_id, action))


async def scanner(api: httpx.AsyncClient, state: State, end: float, sign) -> None:
    while time.monotonic() < end:
        await asyncio.sleep(random.uniform(1, 3))
        key = state.good_key()
        if key is None or key.secret in state.claimed or len(state.good[key.account]) <= MIN_GOOD_PER_ACCOUNT:
            continue
        payload = [
            {
                "token": key.secret,
                "type": "keyward_private_key",
                "url": "https://example.test/leak",
                "source": "content",
            }
        ]
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "Github-Public-Key-Identifier": SCANNING_KEY_ID,
            "Github-Public-Key-Signature": sign(body),
        }
        response = await timed(
            state, "scanning", api.post("/api/secret-scanning/github/", content=body, headers=headers)
        )
        if response is not None and response.status_code == 200:
            state.revoke(key, time.monotonic())
            state.events.append((key.public_id, "leaked"))


async def faults(state: State, start: float, seconds: float, redis_server, database_url: str) -> None:
    await asyncio.sleep(seconds * 0.35)
    state.faults.append((time.monotonic() - start, "Redis stopped"))
    print(f"{state.faults[-1][0]:.0f} s: stopping Redis", flush=True)
    redis_server.stop()
    await asyncio.sleep(min(5, seconds * 0.05))
    redis_server.start()  # empty: throttling counters are gone
    state.faults.append((time.monotonic() - start, "Redis started again (empty)"))
    print(f"{state.faults[-1][0]:.0f} s: Redis started again, empty", flush=True)
    print(
        f"announced: 5xx allowed from {WINDOW_BEFORE} s before to {WINDOW_AFTER} s after the kill", flush=True
    )
    await asyncio.sleep(seconds * 0.25)
    killed = await asyncio.to_thread(terminate_backends, database_url)
    state.kill_at = time.monotonic()
    state.faults.append((state.kill_at - start, f"{killed} PostgreSQL backends terminated"))
    print(f"{state.kill_at - start:.0f} s: terminated {killed} PostgreSQL backends", flush=True)


def terminate_backends(url: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return row[0]


def report(state: State, server: AppServer, args) -> list[str]:
    """Print the table; return the promises the run broke (none, when all is well)."""
    from django.db import connections
    from django.db.models import Sum

    from apikeys.models import KeyEvent, PrivateKey

    connections.close_all()  # this process's connection was among those terminated
    # Announced: requests in flight at any moment from just before the kill to a few seconds after it.
    in_window = [
        r
        for r in state.records
        if state.kill_at is not None
        and r.started <= state.kill_at + WINDOW_AFTER
        and r.ended >= state.kill_at - WINDOW_BEFORE
    ]

    def is_5xx(record: Record) -> bool:
        return isinstance(record.status, int) and record.status >= 500

    errors = [r for r in state.records if not isinstance(r.status, int)]
    five_inside = sum(map(is_5xx, in_window))
    five_outside = sum(map(is_5xx, state.records)) - five_inside

    ids = {key.public_id: key.secret for key in state.keys.values()}
    # Served requests: every request made with a key's secret, less the refused ones.
    stored = dict(
        PrivateKey.objects.filter(public_id__in=list(ids))
        .annotate(total=Sum("usage__requests") - Sum("usage__refused"))
        .values_list("public_id", "total")
    )
    lost = extra = 0
    for public_id, secret in ids.items():
        difference = state.succeeded[secret] - (stored.get(uuid.UUID(public_id)) or 0)
        lost += max(difference, 0)
        extra += max(-difference, 0)
    found = set(KeyEvent.objects.values_list("key_public_id", "action"))
    events_lost = sum((uuid.UUID(p), a) not in found for p, a in state.events)

    by_status = Counter((r.kind, r.status) for r in state.records)
    api_calls = sum(n for (kind, _), n in by_status.items() if kind in ("good", "bad", "revoked"))
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(
        f"| run | {args.seconds:.0f} s, {args.workers} gunicorn workers, "
        f"{args.concurrency} API calls in flight |"
    )
    print(f"| requests | {len(state.records)} ({api_calls / args.seconds:.0f} API calls/s) |")
    for kind in ("good", "revoked", "bad", "tab", "action", "scanning"):
        statuses = ", ".join(
            f"{status}: {n}" for (k, status), n in sorted(by_status.items(), key=str) if k == kind
        )
        print(f"| {kind} | {statuses} |")
    print(f"| faults | {'; '.join(f'{at:.0f} s: {what}' for at, what in state.faults)} |")
    print(f"| 5xx outside the announced window | {five_outside} |")
    print(f"| 5xx inside it ({WINDOW_BEFORE} s before to {WINDOW_AFTER} s after the kill) | {five_inside} |")
    print(f"| connection errors | {len(errors)} |")
    print(f"| requests through after deactivation committed | {len(state.through)} |")
    never_revoked = [
        r
        for r in state.records
        if r.kind == "good" and r.status in (401, 429) and state.keys[r.secret].revoked_at is None
    ]
    print(f"| a key never revoked refused (401/429) | {len(never_revoked)} |")
    print(f"| keys revoked during the run | {sum(1 for k in state.revoked if k.revoked_at)} |")
    print(
        f"| usage counts lost (bound: ≤ 1 s per worker on a crash, none on a graceful stop) | "
        f"{lost} (counted, not answered 200: {extra}) |"
    )
    print(f"| key events lost | {events_lost} of {len(state.events)} |")
    print(f"| /api/key/ p50 / p99 (200s) | {latency_of(state, 'good', 200)} |")
    print(f"| tab pages p50 / p99 | {latency_of(state, 'tab', 200)} |")
    print(f"| tab actions p50 / p99 (302s) | {latency_of(state, 'action', 302)} |")
    for record in sorted(
        (r for r in state.records if is_5xx(r) and r not in in_window), key=lambda r: r.started
    ):
        relative = record.started - (state.kill_at or record.started)
        print(
            f"5xx outside the window: {record.kind} {record.status}, started {relative:+.2f} s from the kill"
        )
    for public_id, action in state.events:
        if (uuid.UUID(public_id), action) not in found:
            print(f"event lost: {action} of {public_id}")
    traceback = "Traceback" in server.output()
    if traceback:
        print(f"\nA traceback is in the server log: {server.log.name}")
    promises = {
        "5xx outside the announced window": five_outside,
        "requests through after deactivation": len(state.through),
        "a key never revoked refused": len(never_revoked),
        "usage counts lost on a graceful stop": lost,
        "key events lost": events_lost,
        "connection errors": len(errors),
        "a traceback in the server log": int(traceback),
    }
    return [promise for promise, count in promises.items() if count]


def latency_of(state: State, kind: str, status: int) -> str:
    times = sorted(r.ended - r.started for r in state.records if r.kind == kind and r.status == status)
    if len(times) < 2:
        return "n/a"
    return (
        f"{statistics.median(times) * 1000:.1f} ms / {statistics.quantiles(times, n=100)[98] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
