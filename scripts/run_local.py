"""`make run`: every service as a local process, logs side by side, Ctrl-C stops all.

Postgres and Redis are started (or installed) by scripts/ensure_infra.sh first and
migrations applied; then each service that exists is started and watched. With --redis-cluster
(`make run REDIS=cluster`) the services use a local Redis Cluster (scripts/redis_cluster.py,
3 primaries and 3 replicas under var/redis-cluster), started here and stopped with the rest.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from redis_cluster import LocalCluster  # noqa: E402
from sms_sink import DEV_API_KEY, SmsSink  # noqa: E402

SMS_SINK_PORT = 7190
SMS_OUTPUT_NAME = "var/sms-sink.jsonl"
SERVICES = ["cards", "wallet", "tasheem", "switch", "crm"]  # start order: the switch needs the others
PORTAL_PORT = 7180  # the web portal (HTTP), started after the services it calls
METRICS_BASE_PORT = 9101
COLORS = ["\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m"]
RESET = "\033[0m"


def pump(name: str, color: str, stream) -> None:
    for line in iter(stream.readline, b""):
        sys.stdout.write(f"{color}{name:>8}{RESET} | {line.decode(errors='replace')}")
        sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis-cluster", action="store_true", help="run the services on a local Redis Cluster")
    args = parser.parse_args()
    subprocess.run(["bash", str(ROOT / "scripts" / "ensure_infra.sh")], check=True)
    subprocess.run([sys.executable, "-m", "services.shared.migrate"], check=True, cwd=ROOT)
    env = {**os.environ, "CLUB_LOG_FORMAT": os.environ.get("CLUB_LOG_FORMAT", "text"),
           "CLUB_DATA_DIR": os.environ.get("CLUB_DATA_DIR", str(ROOT / "var"))}
    cluster = None
    if args.redis_cluster:
        stale = LocalCluster.existing()
        if stale is not None:
            stale.stop()
        cluster = LocalCluster().start()
        env.update(CLUB_REDIS_URL=cluster.url, CLUB_REDIS_CLUSTER="true", CLUB_REDIS_WAIT_REPLICAS="1")
        print(f"Redis Cluster (3 primaries, 3 replicas) at {cluster.url}", flush=True)
    if "CLUB_SMS_BASE_URL" not in os.environ:  # SMS (receipts, announcements) go to a local file, not phones
        sink = SmsSink(SMS_SINK_PORT, ROOT / SMS_OUTPUT_NAME).start()
        env.update(CLUB_SMS_BASE_URL=sink.url, CLUB_SMS_API_KEY=DEV_API_KEY)
        print(f"SMS messages go to {sink.output.relative_to(ROOT)} (the development SMS sink at {sink.url})",
              flush=True)
    procs: list[subprocess.Popen] = []
    present = [s for s in SERVICES if (ROOT / "services" / s / "__main__.py").exists()]
    for index, name in enumerate(present):
        proc_env = {**env, "CLUB_METRICS_PORT": str(METRICS_BASE_PORT + SERVICES.index(name))}
        proc = subprocess.Popen([sys.executable, "-m", f"services.{name}"], cwd=ROOT, env=proc_env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=pump, args=(name, COLORS[index % len(COLORS)], proc.stdout), daemon=True).start()
        procs.append(proc)
        time.sleep(0.5)
    if (ROOT / "services" / "portal" / "__main__.py").exists():
        port = os.environ.get("CLUB_PORTAL_PORT", str(PORTAL_PORT))
        # The portal holds no power of its own: it never gets the secret tokens are signed with.
        portal_env = {k: v for k, v in env.items() if k != "CLUB_AUTH_SECRET"} | {"CLUB_PORTAL_PORT": port}
        proc = subprocess.Popen([sys.executable, "-m", "services.portal"], cwd=ROOT, env=portal_env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=pump, args=("portal", COLORS[len(present) % len(COLORS)], proc.stdout),
                         daemon=True).start()
        procs.append(proc)
        present.append("portal")
        print(f"the portal: http://127.0.0.1:{port}/ (members sign in with a code from {SMS_OUTPUT_NAME})", flush=True)
    print(f"started {', '.join(present)}; Ctrl-C stops them all", flush=True)

    def stop(*_):
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if cluster is not None:
            cluster.stop()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        for name, proc in zip(present, procs, strict=True):
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping the rest", flush=True)
                stop()
        time.sleep(0.5)


if __name__ == "__main__":
    main()
