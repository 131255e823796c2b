"""Benchmarks. `make bench` runs every bench_*.py module; each prints its figures and
saves them as JSON under var/bench/."""
