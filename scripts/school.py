"""A school on one machine: N ConvLab replicas behind HAProxy (and Redis for class mode).

    python -m scripts.school --replicas 3 --port 8080            # http://127.0.0.1:8080
    python -m scripts.school --replicas 3 --port 8443 --tls-pem site.pem   # https
    python -m scripts.school --replicas 4 --systemd out/         # files for a real server

The configuration is ``deploy/haproxy.cfg.in`` and ``deploy/convlab@.service.in``, rendered
here with :class:`string.Template`; the tests and the benchmark start the school through
:class:`School`, so what they measure is what ships. Every replica gets the same
``server.cookieSecret`` (``STREAMLIT_SERVER_COOKIE_SECRET``): Streamlit signs its session
and login cookies with it, so a cookie one replica set stays valid on the replica a browser is
re-dispatched to after a failover (the XSRF token is not signed: it is checked against the
browser's own cookie, so uploads work on any replica either way). With more than
one replica a ``redis-server`` is started too, and every replica gets its address in
``CONVLAB_REDIS_URL`` (class mode's shared state; one replica needs nothing).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from scripts.local_server import REPO, free_port, run_args, wait_healthy

DEPLOY = REPO / "deploy"
#: A little above the app's 25 MB upload limit (.streamlit/config.toml).
MAX_BODY_BYTES = 26 * 1024 * 1024
#: The environment variables the replicas read.
REPLICAS_ENV = "CONVLAB_REPLICAS"
REDIS_ENV = "CONVLAB_REDIS_URL"
COOKIE_SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
START_TIMEOUT_S = 60


def _template(name: str) -> string.Template:
    return string.Template((DEPLOY / name).read_text())


def render_haproxy(
    ports: list[int], port: int, *, host: str = "127.0.0.1", tls_pem: Path | None = None
) -> str:
    """``deploy/haproxy.cfg.in`` for replicas on ``ports`` of this machine, listening on
    ``host:port`` (https with ``tls_pem``: certificate and key in one PEM file).

    >>> cfg = render_haproxy([8501, 8502], 8080)
    >>> "server r1 127.0.0.1:8501 check cookie r1" in cfg, "bind 127.0.0.1:8080" in cfg
    (True, True)
    """
    bind = f"{host}:{port}" + (f" ssl crt {tls_pem}" if tls_pem else "")
    servers = "\n".join(
        f"    server r{i} 127.0.0.1:{p} check cookie r{i}" for i, p in enumerate(ports, 1)
    )
    return _template("haproxy.cfg.in").substitute(
        replica_count=len(ports),
        bind=bind,
        max_body_bytes=MAX_BODY_BYTES,
        forwarded_proto="https" if tls_pem else "http",
        cookie_flags=" secure" if tls_pem else "",
        servers=servers,
    )


def render_unit(
    replica_count: int,
    cookie_secret: str,
    *,
    app_dir: str = "/srv/convlab/app",
    user: str = "convlab",
    redis_url: str | None = None,
) -> str:
    """``deploy/convlab@.service.in``: the systemd unit every replica runs from.

    >>> unit = render_unit(3, "s3cret", redis_url="redis://127.0.0.1:6379/0")
    >>> "Environment=CONVLAB_REDIS_URL=redis://127.0.0.1:6379/0" in unit
    True
    """
    return _template("convlab@.service.in").substitute(
        user=user,
        app_dir=app_dir,
        cookie_secret=cookie_secret,
        replica_count=replica_count,
        redis_after=" redis-server.service" if redis_url else "",
        redis_env=f"\nEnvironment={REDIS_ENV}={redis_url}" if redis_url else "",
    )


def haproxy_binary() -> str:
    """Debian puts haproxy in /usr/sbin, which a normal user's PATH may not hold."""
    found = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(found).exists():
        raise RuntimeError("haproxy is not installed (Debian: apt install haproxy)")
    return found


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"{what} did not start; see {log}:\n{tail}")


@dataclass
class Replica:
    """One ``streamlit run app.py`` process of the school."""

    name: str
    port: int
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class School:
    """N replicas, HAProxy in front, Redis beside them when N > 1. Use as a context manager.

    ``kill(name)`` kills a replica outright (SIGKILL, as a crash or a lost machine would);
    ``restart(name)`` starts it again on its port, where HAProxy's health check finds it.
    """

    replicas: int = 3
    port: int = 0
    tls_pem: Path | None = None
    run_dir: Path | None = None
    cookie_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    redis: bool | None = None  # default: when replicas > 1
    members: list[Replica] = field(default_factory=list)
    redis_url: str | None = None
    _haproxy: subprocess.Popen[bytes] | None = None
    _redis: subprocess.Popen[bytes] | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def url(self) -> str:
        scheme = "https" if self.tls_pem else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def replica(self, name: str) -> Replica:
        return next(r for r in self.members if r.name == name)

    # -- processes
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env[COOKIE_SECRET_ENV] = self.cookie_secret
        env[REPLICAS_ENV] = str(self.replicas)
        if self.redis_url:
            env[REDIS_ENV] = self.redis_url
        else:
            env.pop(REDIS_ENV, None)
        return env

    def _start_replica(self, replica: Replica) -> None:
        log = replica.log_path.open("w")
        replica.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", *run_args("app.py", replica.port)],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=self._env(),
        )  # fmt: skip

    def start(self) -> School:
        if self.run_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="convlab-school-")
            self.run_dir = Path(self._tmp.name)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        if self.redis if self.redis is not None else self.replicas > 1:
            server = shutil.which("redis-server")
            if server is None:
                raise RuntimeError(
                    "redis-server is not installed (Debian: apt install redis-server)"
                )
            redis_port = free_port()
            log = self.run_dir / "redis.log"
            self._redis = subprocess.Popen(
                [server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no"],
                stdout=log.open("w"), stderr=subprocess.STDOUT,
            )  # fmt: skip
            _wait_port(redis_port, self._redis, "redis-server", log)
            self.redis_url = f"redis://127.0.0.1:{redis_port}/0"
        self.members = [
            Replica(f"r{i}", free_port(), self.run_dir / f"replica-r{i}.log")
            for i in range(1, self.replicas + 1)
        ]
        for replica in self.members:
            self._start_replica(replica)
        for replica in self.members:
            assert replica.proc is not None
            wait_healthy(replica.url, replica.proc, replica.log_path)
        haproxy = haproxy_binary()
        cfg = self.run_dir / "haproxy.cfg"
        cfg.write_text(
            render_haproxy([r.port for r in self.members], self.port, tls_pem=self.tls_pem)
        )
        subprocess.run([haproxy, "-c", "-q", "-f", str(cfg)], check=True)
        log = self.run_dir / "haproxy.log"
        self._haproxy = subprocess.Popen(
            [haproxy, "-db", "-f", str(cfg)], stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        _wait_port(self.port, self._haproxy, "haproxy", log)
        self.wait_healthy_through_proxy()
        return self

    def wait_healthy_through_proxy(self, timeout_s: float = START_TIMEOUT_S) -> None:
        import ssl

        context = ssl._create_unverified_context() if self.tls_pem else None  # self-signed
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                req = urllib.request.urlopen(
                    f"{self.url}/_stcore/health", timeout=2, context=context
                )
                with req as r:
                    if r.read().strip() == b"ok":
                        return
            time.sleep(0.2)
        raise RuntimeError(f"the school did not answer at {self.url}")

    def kill(self, name: str) -> None:
        """Kill a replica outright (SIGKILL): its sessions are lost, as in a crash."""
        replica = self.replica(name)
        if replica.proc is not None:
            replica.proc.send_signal(signal.SIGKILL)
            replica.proc.wait()

    def restart(self, name: str) -> None:
        """Start a killed replica again on its port and wait until it is healthy."""
        replica = self.replica(name)
        self._start_replica(replica)
        assert replica.proc is not None
        wait_healthy(replica.url, replica.proc, replica.log_path)

    def stop(self) -> None:
        procs = [self._haproxy, *(r.proc for r in self.members), self._redis]
        for proc in procs:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in procs:
            if proc is not None:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> School:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


def self_signed_pem(directory: Path, host: str = "127.0.0.1") -> Path:
    """A throw-away self-signed certificate and key in one PEM file (openssl), for tests."""
    pem = directory / "convlab-selfsigned.pem"
    key, crt = directory / "key.pem", directory / "crt.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={host}", "-addext", f"subjectAltName=IP:{host},DNS:localhost",
         "-keyout", str(key), "-out", str(crt)],
        check=True, capture_output=True,
    )  # fmt: skip
    pem.write_text(crt.read_text() + key.read_text())
    return pem


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.school", description=__doc__)
    parser.add_argument("--replicas", type=int, default=3, help="Streamlit processes (default 3)")
    parser.add_argument("--port", type=int, default=8080, help="the load balancer's port")
    parser.add_argument("--tls-pem", type=Path, help="certificate + key in one PEM: https")
    parser.add_argument(
        "--systemd", type=Path, metavar="DIR",
        help="write convlab@.service and haproxy.cfg for a server into DIR and exit",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    if args.systemd:
        args.systemd.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_hex(32)
        redis_url = "redis://127.0.0.1:6379/0" if args.replicas > 1 else None
        (args.systemd / "convlab@.service").write_text(
            render_unit(args.replicas, secret, redis_url=redis_url)
        )
        ports = [8501 + i for i in range(args.replicas)]
        (args.systemd / "haproxy.cfg").write_text(
            render_haproxy(ports, args.port, host="0.0.0.0", tls_pem=args.tls_pem)
        )
        print(f"wrote {args.systemd}/convlab@.service and haproxy.cfg; replicas on ports "
              f"{', '.join(map(str, ports))}")  # fmt: skip
        return 0
    with School(args.replicas, args.port, tls_pem=args.tls_pem, run_dir=REPO / ".school") as s:
        print(f"ConvLab: {s.url}  ({args.replicas} replicas: "
              f"{', '.join(r.url for r in s.members)}"
              f"{'; Redis ' + s.redis_url if s.redis_url else ''}). Ctrl-C stops.")  # fmt: skip
        with contextlib.suppress(KeyboardInterrupt):
            while all(r.alive for r in s.members):
                time.sleep(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
