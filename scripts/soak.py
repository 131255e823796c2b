"""`make soak`: the whole stack held at a steady purchase rate for a long time (10 minutes by
default), reporting every window's throughput, latency and each service's memory, so that drift
(latency creeping up, memory growing) shows. Writes var/soak/soak.json and soak.csv.

    python scripts/soak.py                       # 10 minutes at 100 purchases/s (open loop)
    python scripts/soak.py --minutes 2 --rate 60
    python scripts/soak.py --concurrency 8       # closed loop as `make bench` drives it: the benchmark's rate
"""

from __future__ import annotations

import argparse
import csv
import json
import pathlib
import sys
import tempfile
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_switch, loadgen  # noqa: E402
from tests import harness  # noqa: E402
from tests.switch.conftest import make_club  # noqa: E402

WINDOW_SECONDS = 30
OUT_DIR = ROOT / "var" / "soak"


def rss_mb(pid: int) -> float:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def run(minutes: float, rate: float, concurrency: int = 0) -> list[dict]:
    harness.ensure_infra()
    stack = harness.Stack(pathlib.Path(tempfile.mkdtemp(prefix="soak-")), f"club_soak_{uuid.uuid4().hex[:8]}",
                          {"CLUB_LOG_LEVEL": "WARNING"})
    rows = []
    try:
        templates = bench_switch._seed(make_club(stack))
        windows = max(1, int(minutes * 60 // WINDOW_SECONDS))
        for index in range(windows):
            if concurrency:
                summary = loadgen.run(loadgen.drive(stack.iso_port, templates, concurrency, WINDOW_SECONDS))
            else:
                summary = loadgen.run(loadgen.drive_rate(stack.iso_port, templates, rate, WINDOW_SECONDS))
            row = {"window": index + 1, "approved_per_second": summary["approved_per_second"],
                   "p50_ms": summary["p50_ms"], "p99_ms": summary["p99_ms"],
                   "not_approved": summary["requests"] - summary["approved"],
                   "not_approved_codes": " ".join(f"{code}:{count}" for code, count in sorted(summary["codes"].items())
                                                  if code != "00" and count) or "-",
                   **{f"{name}_rss_mb": rss_mb(service.proc.pid) for name, service in stack.services.items()}}
            rows.append(row)
            print(" ".join(f"{key}={value}" for key, value in row.items()), flush=True)
    finally:
        stack.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=100, help="purchases per second offered (open loop)")
    parser.add_argument("--concurrency", type=int, default=0,
                        help="closed loop instead: requests in flight per terminal connection")
    args = parser.parse_args(argv)
    rows = run(args.minutes, args.rate, args.concurrency)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    load = {"concurrency": args.concurrency} if args.concurrency else {"rate": args.rate}
    (OUT_DIR / "soak.json").write_text(json.dumps({**load, "windows": rows}, indent=2))
    with open(OUT_DIR / "soak.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    first, last = rows[0], rows[-1]
    print(f"p99 first {first['p99_ms']} ms, last {last['p99_ms']} ms; "
          + ", ".join(f"{k.removesuffix('_rss_mb')} {first[k]}->{last[k]} MB" for k in first if k.endswith("_rss_mb")))
    print(f"saved {OUT_DIR / 'soak.json'} and soak.csv")
    return 0 if all(row["not_approved"] == 0 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
