"""A throwaway PostgreSQL cluster for the tests (and for ``.ci/run``).

``initdb`` in a fresh temporary directory, the server listening on a unix socket in
that directory only (no TCP port, so parallel runs never meet), trust auth for the
``postgres`` role. PostgreSQL refuses to run as root: as root, the cluster runs as
the ``postgres`` system user (``runuser``). Tests never touch a server they did
not start: the only other server they use is the one ``.ci/run`` started for them
(``BASSIN_TEST_POSTGRES_URL``).

``python3 tests/postgres.py start DIR`` prints the URL of a new cluster in ``DIR``;
``python3 tests/postgres.py stop DIR`` stops it.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

PORT = 5432          # only names the socket file: .s.PGSQL.5432 in the cluster's folder


def find_binary(name: str) -> str | None:
    """``initdb``/``pg_ctl`` on PATH, else in Debian's /usr/lib/postgresql/<major>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return candidates[-1] if candidates else None


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(path, entry.pw_uid, entry.pw_gid)


def url(directory: Path, database: str = "postgres") -> str:
    """SQLAlchemy URL of a database of the cluster in ``directory`` (unix socket)."""
    return f"postgresql+psycopg://postgres@/{database}?host={directory}&port={PORT}"


def start(directory: Path | None = None) -> Path:
    """Create and start a cluster; returns its folder (data in ``data/``, socket beside).

    Raises
    ------
    RuntimeError
        PostgreSQL's binaries are not installed, or the server did not start.
    """
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    directory = Path(directory or tempfile.mkdtemp(prefix="bassin-pg-"))
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)
    _chown(directory)
    data = directory / "data"
    subprocess.run(_as_server_user([initdb, "-D", str(data), "-U", "postgres", "--auth=trust",
                                    "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                   check=True, capture_output=True)
    options = (f"-c listen_addresses='' -c unix_socket_directories={directory} -p {PORT} "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
               "-c max_connections=100 -c shared_buffers=32MB")
    result = subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-o", options, "-w",
                                             "-t", "60", "-l", str(directory / "server.log"),
                                             "start"]), capture_output=True, text=True)
    if result.returncode != 0:
        log = (directory / "server.log").read_text(errors="replace")[-2000:] \
            if (directory / "server.log").exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {result.stderr.strip()}\n{log}")
    return directory


def stop(directory: Path) -> None:
    """Stop the cluster in ``directory`` (fast shutdown) and delete it."""
    pg_ctl = find_binary("pg_ctl")
    data = Path(directory) / "data"
    if pg_ctl and data.exists():
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]),
                       capture_output=True)
    shutil.rmtree(directory, ignore_errors=True)


def create_database(server_url: str) -> tuple[str, str]:
    """A new empty database on the server of ``server_url``: (its URL, its name)."""
    from sqlalchemy.engine import make_url

    name = f"t_{uuid.uuid4().hex[:12]}"
    _autocommit(server_url, f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False), name


def drop_database(server_url: str, name: str) -> None:
    _autocommit(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _autocommit(server_url: str, sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: python3 tests/postgres.py start|stop DIR")
    if sys.argv[1] == "start":
        print(url(start(Path(sys.argv[2]))))
    else:
        stop(Path(sys.argv[2]))
