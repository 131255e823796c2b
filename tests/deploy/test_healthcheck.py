"""What the compose health check and the Kubernetes gRPC probes see, against a real cards process
running mTLS: the plaintext health-only port (CLUB_HEALTH_PORT) answers without a certificate,
the mTLS port does not, and `liveness` is SERVING while the process lives."""

from __future__ import annotations

import subprocess
import sys

from tests import harness
from tests.deploy import tools


def healthcheck(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.shared.healthcheck", *args], cwd=tools.ROOT,
                          capture_output=True, text=True, timeout=30, env=env)


def write_certs(directory) -> None:
    subprocess.run([sys.executable, str(tools.ROOT / "scripts" / "make_certs.py"), str(directory)], check=True,
                   capture_output=True)


def test_health_port_answers_probes_while_grpc_requires_mtls(isolated_stack, tmp_path):
    tls_dir = tmp_path / "tls"
    write_certs(tls_dir)
    health_port = harness.free_port()
    stack = isolated_stack(CLUB_TLS_DIR=str(tls_dir), CLUB_HEALTH_PORT=str(health_port),
                           CLUB_AUTH_SECRET=harness.TEST_AUTH_SECRET)
    stack.start("cards")
    grpc_port = stack.address("cards").rsplit(":", 1)[1]

    assert healthcheck(str(health_port)).returncode == 0
    assert healthcheck(str(health_port), "--service", "liveness").returncode == 0
    assert healthcheck(str(health_port), "--service", "club.cards.v1.CardService").returncode == 0

    plaintext_to_tls = healthcheck(grpc_port)
    assert plaintext_to_tls.returncode == 1 and "unhealthy: UNAVAILABLE" in plaintext_to_tls.stderr
    with_certificate = healthcheck(grpc_port, "--tls-name", "cards", env={"CLUB_TLS_DIR": str(tls_dir)})
    assert with_certificate.returncode == 0, with_certificate.stderr

    unknown = healthcheck(str(health_port), "--service", "no.such.Service")
    assert unknown.returncode == 1 and "NOT_FOUND" in unknown.stderr

    stack.services["cards"].kill()
    stopped = healthcheck(str(health_port), "--timeout", "1")
    assert stopped.returncode == 1 and "unhealthy" in stopped.stderr
