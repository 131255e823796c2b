"""Driving the portal's desktop sections (the merchant portal, the operator console) as their
people do; shared by tests/portal/test_merchant.py, test_operator.py and scripts/portal_screenshots.py."""

from __future__ import annotations

import json

from selenium.webdriver.common.by import By

from tests.portal import pages
from tests.portal.support import axe_violations

DESKTOP_SIZE = (1366, 900)


def desktop(driver) -> None:
    """The page's viewport as a desktop screen's (the browser fixture starts as a phone)."""
    driver.set_window_size(*DESKTOP_SIZE)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": DESKTOP_SIZE[0], "height": DESKTOP_SIZE[1], "deviceScaleFactor": 1,
                            "mobile": False})


def _answered(driver, sign_in_path: str) -> bool:
    """Signed in (left the sign-in page), or the page came back with an error."""
    return sign_in_path not in driver.current_url or bool(driver.find_elements(By.CSS_SELECTOR, ".field-error"))


def merchant_sign_in(driver, portal, username: str, password: str, code: str = "") -> None:
    pages.open_page(driver, portal, "/merchant/signin")
    pages.fill(driver, {"username": username, "password": password, "totp_code": code})
    pages.press(driver, "ورود")
    pages.wait(driver, lambda d: _answered(d, "/merchant/signin"))


def operator_sign_in(driver, portal, token: str) -> None:
    pages.open_page(driver, portal, "/operator/signin")
    driver.find_element(By.NAME, "token").send_keys(token)
    pages.press(driver, "ورود")
    pages.wait(driver, lambda d: _answered(d, "/operator/signin"))


def no_serious_violations(driver, where: str) -> None:
    found = axe_violations(driver)
    assert not found, f"{where}: {json.dumps(found, ensure_ascii=False, indent=1)}"
