"""A Postgres primary and a synchronous standby of the club's own, for development and the
failover drill: two clusters made with the distribution's Postgres binaries, on free ports,
never the machine's main cluster.

    python scripts/pg_standby.py init               # var/pg-standby: primary a, standby b, started
    python scripts/pg_standby.py url --database club # the multi-host URL the services use
    python scripts/pg_standby.py status
    python scripts/pg_standby.py kill               # the primary dies (SIGKILL, as a lost machine)
    python scripts/pg_standby.py promote            # the standby becomes the primary
    python scripts/pg_standby.py rebuild            # a new standby from the new primary; synchronous again
    python scripts/pg_standby.py stop | start

Synchronous: the primary names its standby in `synchronous_standby_names` and runs with
`synchronous_commit = on`, so a commit returns only once the standby has the commit's WAL on its
disk. A promoted standby starts alone (no standby named) so that it accepts writes at once;
`rebuild` gives it a new standby and makes it synchronous again (docs/runbook.md, "Postgres
failover").

Postgres refuses to run as root: as root, every binary runs as the `postgres` user (runuser),
and the pair's directory belongs to it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pathlib
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time

import psycopg

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "var" / "pg-standby"
RUN_AS = "postgres"  # the user Postgres runs as when this script runs as root
STANDBY_NAME = "club_standby"  # application_name of every standby; the primary waits for it
SLOT_NAME = "club_standby"  # the physical slot that keeps WAL for the standby
NODES = ("a", "b")
START_TIMEOUT_SECONDS = 60
SYNC_TIMEOUT_SECONDS = 60
MAX_CONNECTIONS = 300  # every service's pool and the audit pools of a whole stack, with room


def postgres_bin() -> pathlib.Path:
    """The newest installed Postgres' binaries (Debian: /usr/lib/postgresql/<version>/bin)."""
    versions = sorted(pathlib.Path("/usr/lib/postgresql").glob("*/bin/postgres"),
                      key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0)
    if not versions:
        raise SystemExit("no Postgres binaries under /usr/lib/postgresql (apt-get install postgresql)")
    return versions[-1].parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Node:
    """One cluster: its data directory, port and log, run as RUN_AS when we are root."""

    def __init__(self, base: pathlib.Path, name: str, port: int):
        self.base, self.name, self.port = base, name, port
        self.datadir = base / name
        self.logfile = base / f"{name}.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def run(self, *args: str, check: bool = True, quiet: bool = True) -> subprocess.CompletedProcess:
        command = [str(postgres_bin() / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", RUN_AS, "--", *command]
        return subprocess.run(command, check=check, text=True, cwd="/",
                              stdout=subprocess.DEVNULL if quiet else None, stderr=subprocess.PIPE)

    def initdb(self) -> None:
        self.run("initdb", "-D", str(self.datadir), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8",
                 "--locale", "C.UTF-8")

    def configure(self, synchronous_standby: bool) -> None:
        """Our settings, in a file of their own that postgresql.conf includes (pg_basebackup copies
        both, so a standby rewrites it with its own port)."""
        names = STANDBY_NAME if synchronous_standby else ""
        (self.datadir / "club.conf").write_text("\n".join([
            "# Written by scripts/pg_standby.py",
            f"port = {self.port}",
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            f"max_connections = {MAX_CONNECTIONS}",
            "wal_level = replica",
            "max_wal_senders = 10",
            "max_replication_slots = 10",
            "hot_standby = on",
            "wal_log_hints = on",
            "synchronous_commit = on",
            f"synchronous_standby_names = '{names}'",
            "",
        ]))
        conf = self.datadir / "postgresql.conf"
        if "include_if_exists = 'club.conf'" not in conf.read_text():
            with conf.open("a") as handle:
                handle.write("\ninclude_if_exists = 'club.conf'\n")
        self._chown(self.datadir / "club.conf")

    def start(self) -> None:
        self.run("pg_ctl", "start", "-D", str(self.datadir), "-l", str(self.logfile), "-w",
                 "-t", str(START_TIMEOUT_SECONDS))

    def stop(self, mode: str = "fast") -> None:
        if self.running():
            self.run("pg_ctl", "stop", "-D", str(self.datadir), "-m", mode, "-w", check=False)

    def reload(self) -> None:
        self.run("pg_ctl", "reload", "-D", str(self.datadir))

    def postmaster_pid(self) -> int | None:
        with contextlib.suppress(FileNotFoundError, ValueError, PermissionError):
            return int((self.datadir / "postmaster.pid").read_text().split("\n", 1)[0])
        return None

    def running(self) -> bool:
        pid = self.postmaster_pid()
        return pid is not None and alive(pid)

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend at once, as when the machine is lost: no
        shutdown checkpoint, every client connection reset."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        victims = [pid, *children(pid)]
        for victim in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(alive(victim) for victim in victims) and time.monotonic() < deadline:
            time.sleep(0.05)

    def is_standby(self) -> bool:
        return (self.datadir / "standby.signal").exists()

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(f"{self.url}/{dbname}", autocommit=True, connect_timeout=3)

    def promote(self) -> None:
        self.run("pg_ctl", "promote", "-D", str(self.datadir), "-w", "-t", str(START_TIMEOUT_SECONDS))
        with self.connect() as conn:
            if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                raise RuntimeError(f"node {self.name} is still in recovery after pg_ctl promote")

    def base_backup_from(self, primary: Node) -> None:
        """A fresh standby of `primary`: its data copied by pg_basebackup with streamed WAL, a slot
        on the primary keeping WAL for it, and (-R) standby.signal with primary_conninfo."""
        if self.datadir.exists():
            shutil.rmtree(self.datadir)
        with primary.connect() as conn:
            if conn.execute("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (SLOT_NAME,)).fetchone():
                conn.execute("SELECT pg_drop_replication_slot(%s)", (SLOT_NAME,))
        self.run("pg_basebackup", "-D", str(self.datadir), "-d",
                 f"host=127.0.0.1 port={primary.port} user=postgres application_name={STANDBY_NAME}",
                 "-X", "stream", "-R", "-C", "-S", SLOT_NAME, "--checkpoint=fast", "--no-sync")
        self.configure(synchronous_standby=False)

    def _chown(self, path: pathlib.Path) -> None:
        if os.geteuid() == 0:
            user = pwd.getpwnam(RUN_AS)
            os.chown(path, user.pw_uid, user.pw_gid)


def children(pid: int) -> list[int]:
    found = []
    for task in pathlib.Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in task.read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):  # a zombie is dead for us
        return pathlib.Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    return False


class Pair:
    """Two nodes, `a` and `b`; which is the primary is read from the disks (standby.signal)."""

    def __init__(self, base: pathlib.Path = DEFAULT_DIR):
        self.base = base.resolve()
        state = json.loads((self.base / "pair.json").read_text())
        self.nodes = {name: Node(self.base, name, state["ports"][name]) for name in NODES}

    @classmethod
    def create(cls, base: pathlib.Path = DEFAULT_DIR, ports: tuple[int, int] | None = None) -> Pair:
        """initdb the primary, start it, base-backup the standby, start it, wait until it is the
        synchronous standby."""
        base = base.resolve()
        if (base / "pair.json").exists():
            raise SystemExit(f"{base} already holds a pair (scripts/pg_standby.py stop; rm -rf {base})")
        base.mkdir(parents=True, exist_ok=True)
        base.chmod(0o755)  # the postgres user must reach its data directories
        ports = ports or (free_port(), free_port())
        (base / "pair.json").write_text(json.dumps({"ports": dict(zip(NODES, ports, strict=True))}))
        pair = cls(base)
        primary, standby = pair.nodes["a"], pair.nodes["b"]
        primary._chown(base)
        primary.initdb()
        primary.configure(synchronous_standby=False)  # synchronous once the standby is there
        primary.start()
        pair.attach_standby(standby, primary)
        return pair

    def primary(self) -> Node:
        found = [node for node in self.nodes.values() if node.datadir.exists() and not node.is_standby()]
        if len(found) != 1:
            raise RuntimeError(f"expected one primary, found {[node.name for node in found]}")
        return found[0]

    def standby(self) -> Node:
        return next(node for node in self.nodes.values() if node is not self.primary())

    def server_url(self) -> str:
        """Both hosts, no database: postgresql://postgres@127.0.0.1:<a>,127.0.0.1:<b>."""
        return "postgresql://postgres@" + ",".join(f"127.0.0.1:{node.port}" for node in self.nodes.values())

    def url(self, database: str = "postgres") -> str:
        """The services' URL: both hosts, and libpq picks the one that accepts writes."""
        return f"{self.server_url()}/{database}?target_session_attrs=read-write"

    def attach_standby(self, standby: Node, primary: Node) -> None:
        """Replaces whatever `standby` holds: only once `primary` is known to accept writes."""
        try:
            with primary.connect() as conn:
                if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    raise SystemExit(f"node {primary.name} is a standby: promote one first")
        except psycopg.OperationalError:
            raise SystemExit(f"node {primary.name} (the primary) does not answer: start or promote first") from None
        standby.stop("immediate")
        standby.base_backup_from(primary)
        standby.start()
        primary.configure(synchronous_standby=True)
        primary.reload()
        self.wait_synchronous(primary)

    def wait_synchronous(self, primary: Node, timeout: float = SYNC_TIMEOUT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        with primary.connect() as conn:
            while time.monotonic() < deadline:
                row = conn.execute("SELECT sync_state FROM pg_stat_replication WHERE application_name = %s",
                                   (STANDBY_NAME,)).fetchone()
                if row and row[0] == "sync":
                    return
                time.sleep(0.1)
        raise TimeoutError(f"no synchronous standby on node {primary.name} after {timeout:.0f}s")

    def status(self) -> list[dict]:
        rows = []
        for node in self.nodes.values():
            row = {"node": node.name, "port": node.port, "running": node.running(), "role": "-", "sync_state": ""}
            if row["running"]:
                try:
                    with node.connect() as conn:
                        standby = conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
                        row["role"] = "standby" if standby else "primary"
                        if not standby:
                            replicas = conn.execute("SELECT application_name, sync_state FROM pg_stat_replication")
                            row["sync_state"] = ",".join(f"{name}:{state}" for name, state in replicas)
                except psycopg.OperationalError as exc:
                    row["role"] = f"unreachable ({exc.__class__.__name__})"
            rows.append(row)
        return rows

    def promote(self) -> Node:
        """The standby becomes the primary. The old primary must be gone (or fenced): it is never
        started again as it is, only rebuilt as a standby."""
        standby = next(node for node in self.nodes.values() if node.is_standby())
        others = [node for node in self.nodes.values() if node is not standby]
        if any(node.running() for node in others):
            raise SystemExit(f"node {others[0].name} (the primary) is still running: stop or fence it first")
        standby.promote()
        for node in others:  # the old primary's disk is history now: mark it so nothing starts it
            if node.datadir.exists():
                node.datadir.rename(node.base / f"{node.name}.old-primary")
        return standby

    def rebuild(self) -> Node:
        """A new standby on the other node from the current primary, then synchronous again."""
        primary = self.primary()
        other = next(node for node in self.nodes.values() if node is not primary)
        self.attach_standby(other, primary)
        shutil.rmtree(self.base / f"{other.name}.old-primary", ignore_errors=True)
        return other

    def start(self) -> None:
        primary = self.primary()
        primary.start()
        standby = self.standby()
        if standby.datadir.exists():
            standby.start()

    def stop(self) -> None:
        for node in self.nodes.values():
            node.stop()

    def destroy(self) -> None:
        for node in self.nodes.values():
            node.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("init", "url", "status", "kill", "promote", "rebuild", "start", "stop"))
    parser.add_argument("--dir", type=pathlib.Path, default=DEFAULT_DIR, help="where the pair lives")
    parser.add_argument("--ports", default="", help="init: two ports, e.g. 5433,5434 (default: free ones)")
    parser.add_argument("--database", default="club", help="url: the database name")
    args = parser.parse_args(argv)
    if args.command == "init":
        ports = tuple(int(port) for port in args.ports.split(",")) if args.ports else None
        if ports is not None and len(ports) != 2:
            parser.error("--ports: two ports, comma-separated")
        pair = Pair.create(args.dir, ports)
        print(f"primary a on {pair.nodes['a'].port}, synchronous standby b on {pair.nodes['b'].port}")
        print(f"CLUB_DATABASE_URL={pair.url(args.database)}")
        return 0
    pair = Pair(args.dir)
    if args.command == "url":
        print(pair.url(args.database))
    elif args.command == "status":
        for row in pair.status():
            print(f"{row['node']}  port {row['port']}  {'running' if row['running'] else 'stopped':8} {row['role']:8}"
                  f" {row['sync_state']}")
    elif args.command == "kill":
        pair.primary().kill()
    elif args.command == "promote":
        node = pair.promote()
        print(f"node {node.name} (port {node.port}) is the primary; it has no standby: run rebuild")
    elif args.command == "rebuild":
        node = pair.rebuild()
        print(f"node {node.name} (port {node.port}) is the synchronous standby")
    elif args.command == "start":
        pair.start()
    elif args.command == "stop":
        pair.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
