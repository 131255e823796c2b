"""A real local Redis Cluster: 3 primaries, each with a replica, on free ports under var/.

    python scripts/redis_cluster.py start     # prints the URL: redis+cluster://127.0.0.1:p1,...
    python scripts/redis_cluster.py url       # the running cluster's URL
    python scripts/redis_cluster.py stop

Each node is `redis-server --cluster-enabled yes` in its own directory (var/redis-cluster/<port>,
daemonized, its pid in redis.pid); `redis-cli --cluster create ... --cluster-replicas 1` joins
them, and `start` returns once every node reports cluster_state:ok and every replica is in sync.
Tests (tests/harness.py) and `make run REDIS=cluster` (scripts/run_local.py) use `LocalCluster`.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import random
import shutil
import signal
import socket
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "var" / "redis-cluster"
PRIMARIES = 3
REPLICAS_PER_PRIMARY = 1
BUS_PORT_OFFSET = 10_000  # Redis Cluster's bus listens on port + 10000
LOWEST_PORT = 10_000  # nodes' ports are chosen from here up to the ephemeral range less the bus offset
# A primary unreachable this long is failed over to its replica. Short, so failover tests are
# short; long enough that a busy 2-core machine does not fail over a primary that is only slow.
NODE_TIMEOUT_MS = 3_000
READY_TIMEOUT_SECONDS = 60.0
PORTS_FILE = "ports"


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ephemeral_low() -> int:
    """The first port the kernel hands to outgoing connections."""
    try:
        return int(pathlib.Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_ports(count: int, taken: set[int] | None = None) -> list[int]:
    """`count` free ports whose cluster bus ports (+10000) are free too, both below the range the
    kernel takes outgoing connections' ports from: a port from that range, free when chosen, can
    be taken by any connection before its node binds it (a node that cannot bind its bus port
    never starts). `taken`: ports not to use; those chosen are added to it."""
    taken = taken if taken is not None else set()
    high = _ephemeral_low() - BUS_PORT_OFFSET
    assert high - LOWEST_PORT >= 10 * count, "no room for the cluster's ports below the ephemeral range"
    ports: list[int] = []
    while len(ports) < count:
        port = random.randrange(LOWEST_PORT, high)
        if port not in taken and _port_free(port) and _port_free(port + BUS_PORT_OFFSET):
            taken.add(port)
            ports.append(port)
    return ports


def cli(port: int, *args: str, check: bool = True) -> str:
    done = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args], capture_output=True, text=True,
                          timeout=30)
    if check and done.returncode:
        raise RuntimeError(f"redis-cli -p {port} {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def _running(pid: int) -> bool:
    """Alive and not yet a zombie (a zombie has closed its sockets; its parent may never reap it)."""
    try:
        return pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _info(text: str) -> dict[str, str]:
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line and not line.startswith("#"))


class LocalCluster:
    """The nodes' ports are fixed when made; `start` launches and joins them, `stop` ends them."""

    def __init__(self, workdir: pathlib.Path = DEFAULT_DIR, ports: list[int] | None = None):
        self.workdir = workdir
        self.ports = ports or free_ports(PRIMARIES * (1 + REPLICAS_PER_PRIMARY))

    @classmethod
    def existing(cls, workdir: pathlib.Path = DEFAULT_DIR) -> LocalCluster | None:
        """The cluster `start` left in `workdir`, if any."""
        path = workdir / PORTS_FILE
        if not path.exists():
            return None
        return cls(workdir, [int(port) for port in path.read_text().split()])

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{port}" for port in self.ports)

    def start(self) -> LocalCluster:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / PORTS_FILE).write_text(" ".join(map(str, self.ports)))
        try:
            for port in self.ports:
                self._launch(port)
            for port in self.ports:
                self._wait_ping(port)
            subprocess.run(["redis-cli", "--cluster", "create", *(f"127.0.0.1:{port}" for port in self.ports),
                            "--cluster-replicas", str(REPLICAS_PER_PRIMARY), "--cluster-yes"],
                           check=True, capture_output=True, timeout=60)
            self.wait_ok()
        except BaseException:
            self.stop()  # no daemonized node outlives a failed start
            raise
        return self

    def _launch(self, port: int) -> None:
        node_dir = self.workdir / str(port)
        shutil.rmtree(node_dir, ignore_errors=True)
        node_dir.mkdir(parents=True)
        subprocess.run(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
                        "--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0",  # replicas in sync at once
                        "--dir", str(node_dir), "--daemonize", "yes",
                        "--pidfile", str(node_dir / "redis.pid"), "--logfile", str(node_dir / "redis.log")],
                       check=True, timeout=30)

    def _wait_ping(self, port: int) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while cli(port, "ping", check=False).strip() != "PONG":
            if time.monotonic() > deadline:
                raise TimeoutError(f"redis-server on {port} did not start")
            time.sleep(0.05)

    def alive(self) -> list[int]:
        return [port for port in self.ports if cli(port, "ping", check=False).strip() == "PONG"]

    def nodes(self) -> list[dict]:
        """CLUSTER NODES as a live node sees it: port, role, flags, primary's id, slots."""
        for port in self.alive():
            rows = []
            for line in cli(port, "cluster", "nodes").splitlines():
                fields = line.split()
                address, flags = fields[1], fields[2].split(",")
                rows.append({"id": fields[0], "port": int(address.split("@")[0].rsplit(":", 1)[1]), "flags": flags,
                             "primary": "master" in flags, "failed": "fail" in flags or "fail?" in flags,
                             "primary_id": fields[3], "slots": fields[8:]})
            return rows
        raise RuntimeError("no node of the cluster answers")

    def primaries(self) -> list[int]:
        return sorted(node["port"] for node in self.nodes() if node["primary"] and not node["failed"])

    def wait_ok(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Until every live node says cluster_state:ok, every slot is served, and each live
        replica's link to its primary is up (its copy is complete)."""
        deadline = time.monotonic() + timeout
        while True:
            problem = self._not_ok()
            if problem is None:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"Redis Cluster not ok after {timeout}s: {problem}")
            time.sleep(0.1)

    def _not_ok(self) -> str | None:
        alive = self.alive()
        if len(alive) == len(self.ports):
            # Every node up: each primary has its replicas, as `redis-cli --cluster create` set them
            # (a node is a primary until its CLUSTER REPLICATE has been seen by the node asked).
            primaries = [node for node in self.nodes() if node["primary"] and not node["failed"]]
            if len(primaries) * (1 + REPLICAS_PER_PRIMARY) != len(self.ports):
                return f"{len(primaries)} primaries seen; replicas not yet attached"
        for port in alive:
            info = _info(cli(port, "cluster", "info"))
            if info.get("cluster_state") != "ok" or info.get("cluster_slots_ok") != "16384":
                return f"node {port}: {info.get('cluster_state')}, slots ok {info.get('cluster_slots_ok')}"
            replication = _info(cli(port, "info", "replication"))
            if replication.get("role") == "slave" and replication.get("master_link_status") != "up":
                return f"replica {port}: link to its primary {replication.get('master_link_status')}"
        return None

    def kill_primary(self, port: int) -> None:
        """SIGKILL one primary, as a crashed machine: no shutdown, no goodbye to the cluster."""
        pid = int((self.workdir / str(port) / "redis.pid").read_text())
        os.kill(pid, signal.SIGKILL)

    def wait_failover(self, dead_port: int, timeout: float = READY_TIMEOUT_SECONDS) -> int:
        """Until the dead primary's replica has taken its slots over and the cluster is ok; that
        replica's port."""
        deadline = time.monotonic() + timeout
        dead_id = next(node["id"] for node in self.nodes() if node["port"] == dead_port)
        replica = next(node["port"] for node in self.nodes() if node["primary_id"] == dead_id)
        while time.monotonic() < deadline:
            promoted = next(node for node in self.nodes() if node["port"] == replica)
            if promoted["primary"] and promoted["slots"] and self._not_ok() is None:
                return replica
            time.sleep(0.1)
        raise TimeoutError(f"the replica {replica} did not take over from {dead_port} within {timeout}s")

    def stop(self) -> None:
        """SIGKILL every node (nothing to keep: no persistence) and wait until they are gone, so
        their ports are free again."""
        pids = []
        for port in self.ports:
            pidfile = self.workdir / str(port) / "redis.pid"
            try:
                pid = int(pidfile.read_text())
                os.kill(pid, signal.SIGKILL)
                pids.append(pid)
            except (FileNotFoundError, ProcessLookupError, ValueError):
                pass
        pids += self._strays(pids)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while any(map(_running, pids)) and time.monotonic() < deadline:
            time.sleep(0.02)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _strays(self, known: list[int]) -> list[int]:
        """Nodes of this cluster its pid files do not name (a pid file not yet written, or lost):
        each node runs in its own directory under workdir (--dir), which finds them. Killed too."""
        found = []
        for proc in pathlib.Path("/proc").iterdir():
            if not proc.name.isdigit() or int(proc.name) in known:
                continue
            try:
                if (proc / "comm").read_text().strip() != "redis-server":
                    continue
                cwd = pathlib.Path(os.readlink(proc / "cwd"))
            except OSError:
                continue
            if cwd == self.workdir or self.workdir in cwd.parents:
                try:
                    os.kill(int(proc.name), signal.SIGKILL)
                    found.append(int(proc.name))
                except ProcessLookupError:
                    pass
        return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("start", "stop", "url"))
    parser.add_argument("--dir", type=pathlib.Path, default=DEFAULT_DIR, help="where the nodes live (default var/)")
    args = parser.parse_args(argv)
    running = LocalCluster.existing(args.dir)
    if args.command == "start":
        if running is not None and running.alive():
            print(running.url)
            return 0
        if running is not None:
            running.stop()
        print(LocalCluster(args.dir).start().url)
    elif args.command == "url":
        if running is None:
            print(f"no cluster under {args.dir}", file=sys.stderr)
            return 1
        print(running.url)
    elif running is not None:
        running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
