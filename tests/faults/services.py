"""Services a fault test starts and stops itself: a Redis server of its own, and gunicorn app servers.

Everything binds 127.0.0.1 on a free port, is stopped by its process id, and never touches the machine's own
Redis or PostgreSQL. Used by tests/faults/ and by bench/soak.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import httpx
from gunicorn import config as gunicorn_config

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
START_TIMEOUT = 20  # seconds


def free_port(start: int) -> int:
    """Return the first port from ``start`` on that nothing listens on at 127.0.0.1."""
    for port in range(start, start + 200):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port from {start}")


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited ({process.returncode}) before listening on {port}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {timeout} s")


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    """Stop a process this module started, by its pid; kill it if it does not exit in time."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


class RedisServer:
    """A throw-away redis-server on its own port, without persistence: ``start()``, ``stop()``, again."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port(6390)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


def server_environment(database_url: str, cache_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like Keyward server (DEBUG off) for these tests and the soak."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "CACHE_URL", "DATABASE_URL"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="tests.faults.server_settings",
        SECRET_KEY="keyward-faults-only-secret-key-0123456789abcdefghij",
        API_KEY_PEPPERS="test-pepper-current,test-pepper-previous",  # those of tests/settings.py
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        DATABASE_URL=database_url,
        CACHE_URL=cache_url,
        LOG_LEVEL="WARNING",
    )
    environment.update(extra)
    return environment


class AppServer:
    """A gunicorn running config.wsgi on its own port."""

    def __init__(self, environment: dict[str, str], workers: int = 1, port: int | None = None):
        self.environment = environment
        self.workers = workers
        self.port = port or free_port(18100)
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="keyward-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        command = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)]
        command += ["--graceful-timeout", "5"]
        if any(setting.name == "control_socket_disable" for setting in gunicorn_config.KNOWN_SETTINGS):
            command.append("--no-control-socket")  # gunicorn 27+: else every server shares ~/.gunicorn/*.ctl
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.environment, stdout=self.log, stderr=subprocess.STDOUT
        )
        wait_for_port(self.port, self.process)
        self.wait_until_serving()
        return self

    def wait_until_serving(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/api/key/", timeout=2)  # noqa: S310 (our own server)
            except urllib.error.HTTPError:
                return  # 401: a worker answered
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"gunicorn on {self.port} did not answer within {timeout} s")

    def stop(self) -> None:
        """Stop gracefully (SIGTERM: each worker writes its usage counts); keep the log only if it holds
        a traceback, to be read."""
        if self.process is not None:
            stop(self.process)
            self.process = None
            self.log.close()
            if "Traceback" not in self.output():
                Path(self.log.name).unlink(missing_ok=True)

    def output(self) -> str:
        """What the server printed (empty once stopped, unless it printed a traceback)."""
        path = Path(self.log.name)
        return path.read_text(errors="replace") if path.exists() else ""


class TcpProxy:
    """A TCP relay from a port of its own to ``upstream``: ``stop()`` takes the upstream away for everyone
    connected through it (open connections are cut, new ones refused), ``start()`` brings it back."""

    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1", port: int | None = None):
        self.upstream = (upstream_host, upstream_port)
        self.port = port or free_port(15500)
        self.listener: socket.socket | None = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()

    def start(self) -> TcpProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        with self.lock:
            doomed, self.sockets = list(self.sockets), set()
            listener, self.listener = self.listener, None
        for sock in [listener, *doomed]:
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.sockets.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class Tab:
    """A logged-in browser on the API keys tab of one app server (httpx, cookies, CSRF)."""

    def __init__(self, base_url: str, email: str, password: str):
        self.http = httpx.Client(base_url=base_url, timeout=10)
        page = self.http.get("/login/")
        response = self.http.post(
            "/login/", data={"username": email, "password": password, "csrfmiddlewaretoken": self.token(page)}
        )
        if response.status_code != 302:
            raise RuntimeError(f"log-in as {email} failed: {response.status_code}")

    def token(self, page: httpx.Response | None = None) -> str:
        """The CSRF token: a form's, or the cookie's secret, which Django accepts as well."""
        if page is not None and (found := CSRF_INPUT.search(page.text)):
            return found.group(1)
        return self.http.cookies["csrftoken"]

    def post(self, path: str, data: dict | None = None) -> httpx.Response:
        return self.http.post(path, data={**(data or {}), "csrfmiddlewaretoken": self.token()})

    def close(self) -> None:
        self.http.close()


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
