"""clubctl against real service processes: the shared test stack's cards, wallet and tasheem (and the
switch, when this tree has one), called through `main([...])` exactly as a shell would."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass

import pytest
from cryptography.utils import CryptographyDeprecationWarning

from services.cli.main import main
from tests import harness

GRPC_SERVICES = ("cards", "wallet", "tasheem", "crm")


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        assert self.code == 0, f"exit {self.code}: {self.err}"
        return json.loads(self.out)


@pytest.fixture(scope="session")
def cli_stack(stack):
    stack.start(*GRPC_SERVICES)
    return stack


@pytest.fixture
def clubctl(cli_stack, capsys, monkeypatch):
    """Run clubctl in-process with an operator token (token=None: no token at all)."""
    for name in GRPC_SERVICES:
        monkeypatch.setenv(f"CLUB_{name.upper()}_ADDR", cli_stack.address(name))
    monkeypatch.setenv("CLUB_SWITCH_ADDR", f"127.0.0.1:{cli_stack.ports['switch']}")  # started by the tests that need it
    for name in ("CLUB_TOKEN", "CLUB_TLS_DIR", "CLUB_ISO_ADDR", "CLUB_TERMINAL_PIN_KEY", "CLUB_TERMINAL_MAC_KEY"):
        monkeypatch.delenv(name, raising=False)
    operator = cli_stack.token("operator", subject="cli-test")

    def run(*args: str, token: str | None = operator) -> Run:
        capsys.readouterr()
        argv = [*(["--token", token] if token is not None else []), *args]
        code = main(argv)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def needs_switch():
    if "switch" not in harness.available_services():
        pytest.skip("needs the switch service (services/switch/__main__.py), not in this tree yet")


@pytest.fixture(autouse=True)
def _quiet_tdes_warnings():
    """psec drives two-key TDES (PIN blocks, retail MAC), which cryptography flags on every call."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield
