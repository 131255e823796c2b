"""Run benchmarks: `python -m bench [name ...] [--short]`.

Each module bench/bench_<name>.py defines `run(short: bool) -> dict`; the dict is printed
and saved to var/bench/<name>.json with the time and machine it ran on. A result with a
`headline` (the switch benchmark's) has that headline's text printed first.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import pathlib
import platform
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"


def main() -> None:
    available = sorted(p.stem.removeprefix("bench_") for p in pathlib.Path(__file__).parent.glob("bench_*.py"))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(available)}; none = all")
    parser.add_argument("--short", action="store_true", help="a quick run (CI)")
    args = parser.parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name in args.names or available:
        if name not in available:
            parser.error(f"unknown benchmark {name}")
        print(f"== bench {name}", flush=True)
        result = importlib.import_module(f"bench.bench_{name}").run(short=args.short)
        result["_meta"] = {"at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                           "cpus": os.cpu_count(), "python": platform.python_version(),
                           "interpreter": os.path.realpath(sys.executable), "short": args.short}
        path = OUT_DIR / f"{name}.json"
        path.write_text(json.dumps(result, indent=2))
        if "headline" in result:
            print(result["headline"]["text"], flush=True)
        print(json.dumps(result, indent=2))
        print(f"saved {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
