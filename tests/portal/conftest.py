"""Fixtures for the portal's tests in a real browser, for every section of the portal to reuse:

- `portal_stack`: every service as a real process, crm sending its SMS to `sms_sink`, a local
  HTTP server speaking the gateway's API (scripts/sms_sink.py), so a test reads the one-time code
  a member would get on her phone (`sms_sink.code_for(phone)`);
- `portal`: the portal itself (`python -m services.portal`), started with the services'
  addresses and nothing else: no auth secret (`portal.url`);
- `demo_club`: the demo club seeded through clubctl (var/demo.json's shape), and `club`: gRPC
  stubs with an operator token for a test's own setup (`club.member()` makes a fresh member);
- `browser`: Debian's headless Chromium with a fresh profile at phone size, driven by Selenium
  through /usr/bin/chromedriver (installed by scripts/ensure_browser.sh when missing).
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.crm.v1 import crm_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from services.shared import persian
from tests import harness

sys.path.insert(0, str(harness.ROOT / "scripts"))
from sms_sink import DEV_API_KEY, SmsSink  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")
PHONE_SIZE = (390, 844)
PORTAL_START_SECONDS = 30
SMS_WAIT_SECONDS = 15
AXE = pathlib.Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
CODE_IN_SMS = re.compile(r"(?<![0-9])([0-9]{4,10})(?![0-9])")


# ---- the SMS sink -----------------------------------------------------------------------------


class Sink:
    """The development SMS sink, read as a member reads her phone."""

    def __init__(self, server: SmsSink):
        self.server = server
        self.url = server.url

    def messages(self, phone: str) -> list[str]:
        if not self.server.output.exists():
            return []
        lines = self.server.output.read_text(encoding="utf-8").splitlines()
        return [entry["message"] for entry in map(json.loads, lines) if entry["receptor"] == phone]

    def wait_for(self, phone: str, count: int, timeout: float = SMS_WAIT_SECONDS) -> list[str]:
        """The phone's messages once it has at least `count`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages(phone)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"no SMS #{count} for {phone} within {timeout}s")

    def code_for(self, phone: str, count: int) -> str:
        """The one-time code in the phone's `count`-th SMS (1 = the first)."""
        message = persian.ascii_digits(self.wait_for(phone, count)[count - 1])
        found = CODE_IN_SMS.search(message)
        assert found, f"no code in the SMS: {message!r}"
        return found.group(1)


@pytest.fixture(scope="session")
def sms_sink(tmp_path_factory) -> Sink:
    server = SmsSink(harness.free_port(), tmp_path_factory.mktemp("sms") / "sms-sink.jsonl").start()
    yield Sink(server)
    server.close()


# ---- the services and the portal --------------------------------------------------------------


@pytest.fixture(scope="session")
def portal_stack(infra, tmp_path_factory, sms_sink) -> harness.Stack:
    stack = harness.Stack(tmp_path_factory.mktemp("portal-stack"), f"club_portal_{os.getpid()}",
                          {"CLUB_SMS_BASE_URL": sms_sink.url, "CLUB_SMS_API_KEY": DEV_API_KEY})
    stack.start(*harness.available_services())
    yield stack
    stack.close()


class PortalProcess:
    """`python -m services.portal` on a free port, pointed at a stack's services."""

    def __init__(self, stack: harness.Stack, workdir: pathlib.Path, **extra_env: str):
        self.port = harness.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "portal.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CLUB_")}
        self.env.update({
            "CLUB_ENV": "test", "CLUB_LOG_FORMAT": "json", "CLUB_PORTAL_HOST": "127.0.0.1",
            "CLUB_PORTAL_PORT": str(self.port),
            **{f"CLUB_{name.upper()}_ADDR": f"127.0.0.1:{port}" for name, port in stack.ports.items()},
            **extra_env,
        })
        assert "CLUB_AUTH_SECRET" not in self.env, "the portal holds no secret of the services"
        self.proc: subprocess.Popen | None = None

    def start(self) -> PortalProcess:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "services.portal"], cwd=harness.ROOT, env=self.env,
                                         stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + PORTAL_START_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the portal exited with {self.proc.returncode}: {self.log_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as reply:
                    if reply.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"the portal did not answer within {PORTAL_START_SECONDS}s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture(scope="session")
def portal(portal_stack, tmp_path_factory) -> PortalProcess:
    process = PortalProcess(portal_stack, tmp_path_factory.mktemp("portal")).start()
    yield process
    process.stop()


# ---- the club's data --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_club(portal_stack, tmp_path_factory) -> dict:
    """`clubctl demo seed` against the stack: merchants, a loyalty product, five members with
    cards, points and credit, a coupon, a reward, an event they are invited to."""
    output = tmp_path_factory.mktemp("demo") / "demo.json"
    env = {**portal_stack.env("cards"), **{f"CLUB_{n.upper()}_ADDR": portal_stack.address(n)
                                           for n in harness.available_services()}}
    subprocess.run([sys.executable, "-m", "services.cli", "--token", portal_stack.token("operator", subject="seed"),
                    "demo", "seed", "--output", str(output)], cwd=harness.ROOT, env=env, check=True,
                   capture_output=True)
    return json.loads(output.read_text())


class Club:
    """gRPC stubs with an operator's token, for a test's setup and its checks behind the pages."""

    def __init__(self, stack: harness.Stack, demo: dict):
        self.stack, self.demo = stack, demo
        self._channels = {name: stack.channel(name) for name in ("cards", "wallet", "tasheem", "crm")}
        self.cards = cards_pb2_grpc.CardServiceStub(self._channels["cards"])
        self.wallet = wallet_pb2_grpc.WalletServiceStub(self._channels["wallet"])
        self.tasheem = tasheem_pb2_grpc.TasheemServiceStub(self._channels["tasheem"])
        self.crm = crm_pb2_grpc.CrmServiceStub(self._channels["crm"])

    def member(self, points: int = 0, first_name: str = "نگار", last_name: str = "آزمون") -> dict:
        """A fresh member with a phone of her own, a virtual card of the demo product, and points."""
        phone = "0935" + "".join(secrets.choice("0123456789") for _ in range(7))
        member = self.cards.RegisterMember(cards_pb2.RegisterMemberRequest(
            phone=phone, first_name=first_name, last_name=last_name, segment="demo"))
        issued = self.cards.IssueCard(cards_pb2.IssueCardRequest(
            member_id=member.member_id, product_id=self.demo["product"]["product_id"], channel="test", virtual=True))
        self.wallet.OpenMemberAccounts(wallet_pb2.OpenMemberAccountsRequest(member_id=member.member_id))
        if points:
            self.wallet.AdjustPoints(wallet_pb2.AdjustPointsRequest(
                transfer_id=f"test-points-{member.member_id}", member_id=member.member_id, points=points,
                reason="test points"))
        return {"member_id": member.member_id, "phone": phone, "card": issued.card}

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()


@pytest.fixture(scope="session")
def club(portal_stack, demo_club) -> Club:
    made = Club(portal_stack, demo_club)
    yield made
    made.close()


# ---- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> None:
    subprocess.run(["bash", str(harness.ROOT / "scripts" / "ensure_browser.sh")], check=True)


@pytest.fixture
def browser(chromium, tmp_path):
    """Headless Chromium at phone size with a fresh profile (no cookies from another test)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tmp_path / "chromium-profile"
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={PHONE_SIZE[0]},{PHONE_SIZE[1]}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def axe_violations(driver, impacts=("serious", "critical")) -> list[dict]:
    """axe-core run on the page in the browser; its violations of these impacts."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(30)
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done([{id: String(e)}]));")
    return [{"id": v["id"], "impact": v.get("impact"), "help": v.get("help"),
             "nodes": [n.get("html") for n in v.get("nodes", [])][:3]}
            for v in found if v.get("impact") in impacts or "impact" not in v]
