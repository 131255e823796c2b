#!/usr/bin/env bash
# Prints the interpreter `make venv` builds the venv from (`make PYTHON=...` overrides it).
#
# The distribution's python3 first, when it is 3.11 or newer and can make a venv: Debian and
# Ubuntu build it with profile-guided optimization and LTO, as the python:3.11 image the
# Dockerfile runs on is built. On the benchmark machine, a python3 compiled from source without
# them (pyenv's default build) ran plain Python code 18-31% slower, and the switch, the busiest
# process, spent ~8% more CPU per approval (docs/performance.md, step 16). Otherwise python3
# from PATH.
set -euo pipefail
for candidate in /usr/bin/python3 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "$candidate"
    exit 0
  fi
done
echo python3  # nothing suitable: let `python3 -m venv` say what is missing
