"""CPU seconds per process from /proc, to divide by the work done: on a 2-core machine the CPU
each approval costs, summed over every process, is what bounds throughput."""

from __future__ import annotations

import os
import pathlib
import resource

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
STEAL = "stolen by the hypervisor (not in total)"


def process_seconds(pid: int, reaped_children: bool = False) -> float:
    """utime + stime of one process (0 when it is gone); with `reaped_children`, also the CPU of
    its children that have exited and been waited for (cutime + cstime)."""
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])  # fields 16 and 17
    return ticks / CLOCK_TICKS


def postgres_pids() -> list[int]:
    """Every Postgres server process (backends included) on this machine."""
    pids = []
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def steal_seconds() -> float:
    """CPU time the hypervisor gave to other guests, all cores (the 8th value of /proc/stat's cpu
    line): on a shared virtual machine, the noise behind run-to-run differences."""
    try:
        values = pathlib.Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    return int(values[7]) / CLOCK_TICKS if len(values) > 7 else 0.0


def self_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def redis_processes(server) -> dict[str, int]:
    """A stack's Redis processes by name: `redis`, or `redis 1`..`redis 6` for a cluster's nodes."""
    pids = server.pids()
    return {"redis": pids[0]} if len(pids) == 1 else {f"redis {n}": pid for n, pid in enumerate(pids, 1)}


class CpuMeter:
    """CPU used by named processes between start() and stop()."""

    def __init__(self, pids: dict[str, int]):
        self.pids = pids
        self._before: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        seconds = {name: process_seconds(pid) for name, pid in self.pids.items()}
        # A backend that exits within the window leaves the sum of live processes, taking all its
        # CPU with it (the figure could go negative); the postmaster reaps it, so its CPU is then
        # in the postmaster's reaped children's: counted with them, the sum never goes back.
        seconds["postgres"] = sum(process_seconds(pid, reaped_children=True) for pid in postgres_pids())
        seconds["load generator"] = self_seconds()
        seconds[STEAL] = steal_seconds()
        return seconds

    def start(self) -> None:
        self._before = self._read()

    def stop(self, approvals: int) -> dict[str, float]:
        """CPU milliseconds per approval, by process, and the total."""
        after = self._read()
        per = {name: round((after[name] - self._before.get(name, 0.0)) * 1000 / max(approvals, 1), 3)
               for name in after}
        per["total"] = round(sum(value for name, value in per.items() if name != STEAL), 3)
        return per
