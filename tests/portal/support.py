"""What the portal's tests and scripts/portal_screenshots.py share: the development SMS sink
read as a phone, the portal as a process, the club's data made through gRPC and clubctl, and
headless Chromium (Debian's chromium and chromium-driver) with axe-core."""

from __future__ import annotations

import asyncio
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

from services.gen.club.cards.v1 import cards_pb2, cards_pb2_grpc
from services.gen.club.crm.v1 import crm_pb2_grpc
from services.gen.club.tasheem.v1 import tasheem_pb2_grpc
from services.gen.club.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from services.shared import persian
from tests import harness

sys.path.insert(0, str(harness.ROOT / "scripts"))
from sms_sink import DEV_API_KEY, SmsSink  # noqa: E402,F401  (DEV_API_KEY: for the stack's settings)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")
PHONE_SIZE = (390, 844)
PORTAL_START_SECONDS = 30
SMS_WAIT_SECONDS = 15
AXE = pathlib.Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SIGNIN_SMS_MARK = "کد ورود"  # crm's sign-in SMS (services/crm/templates.py SIGNIN_CODE_SMS)
CODE_IN_SMS = re.compile(r"(?<![0-9])([0-9]{4,10})(?![0-9])")


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

    def code_for(self, phone: str, after: int, timeout: float = SMS_WAIT_SECONDS) -> str:
        """The one-time code in the first sign-in SMS the phone got after its first `after`
        messages (receipts and announcements come to the same phone)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages(phone)[after:]:
                if SIGNIN_SMS_MARK in message:
                    found = CODE_IN_SMS.search(persian.ascii_digits(message))
                    assert found, f"no code in the sign-in SMS: {message!r}"
                    return found.group(1)
            time.sleep(0.1)
        raise AssertionError(f"no sign-in SMS for {phone} within {timeout}s")


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


def seed_demo(stack: harness.Stack, output: pathlib.Path) -> dict:
    """`clubctl demo seed` against the stack: merchants, a loyalty product, five members with
    cards, points and credit, a coupon, a reward, an event they are invited to."""
    subprocess.run([sys.executable, "-m", "services.cli", "--token", stack.token("operator", subject="seed"),
                    "demo", "seed", "--output", str(output)], cwd=harness.ROOT, env=clubctl_env(stack), check=True,
                   capture_output=True)
    return json.loads(output.read_text())


def clubctl_env(stack: harness.Stack) -> dict[str, str]:
    """clubctl's environment for a stack: every service's address and the switch's ISO 8583 port."""
    return {**stack.env("cards"), "CLUB_ISO_ADDR": f"127.0.0.1:{stack.iso_port}",
            **{f"CLUB_{n.upper()}_ADDR": stack.address(n) for n in harness.available_services()}}


def purchase(stack: harness.Stack, demo_file: pathlib.Path, journal: pathlib.Path, card: int, terminal: int,
             amount: int) -> dict:
    """A purchase at a demo terminal over ISO 8583 (clubctl terminal purchase), as a shop makes it;
    clubctl exits 0 only when it is approved."""
    done = subprocess.run([sys.executable, "-m", "services.cli", "--json", "terminal", "purchase", "--demo",
                           str(demo_file), "--card", str(card), "--terminal", str(terminal), "--amount", str(amount)],
                          cwd=harness.ROOT, env={**clubctl_env(stack), "CLUB_TERMINAL_JOURNAL": str(journal)},
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


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


def new_browser(profile: pathlib.Path, size: tuple[int, int] = PHONE_SIZE):
    """Headless Chromium with a fresh profile at `size`, driven through /usr/bin/chromedriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    subprocess.run(["bash", str(harness.ROOT / "scripts" / "ensure_browser.sh")], check=True)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={size[0]},{size[1]}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    # The window's size is not the page's in headless mode: the viewport is set as a phone's.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": True})
    driver.set_page_load_timeout(30)
    return driver


def close_browser(driver, profile: pathlib.Path) -> None:
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


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


async def http_sign_in(client, sink: Sink, phone: str) -> None:
    """Signs a member in over plain HTTP (an httpx.AsyncClient keeping her cookie), with the code
    her phone got: the form posts a browser makes, without the browser."""
    page = await client.get("/signin")
    sent_before = len(sink.messages(phone))
    answer = await client.post("/signin", data={"phone": phone, "csrf_token": CSRF_FIELD.search(page.text).group(1)})
    assert answer.status_code in (302, 303), f"sign-in refused ({answer.status_code})"
    page = await client.get("/signin/code")
    code = await asyncio.to_thread(sink.code_for, phone, sent_before)
    answer = await client.post("/signin/code", data={"code": code,
                                                     "csrf_token": CSRF_FIELD.search(page.text).group(1)})
    assert answer.status_code in (302, 303) and "/signin" not in answer.headers["location"], "code refused"
