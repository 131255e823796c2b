"""Driving the portal as a person does: open a page, fill a form, press its button, read the page."""

from __future__ import annotations

from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

WAIT_SECONDS = 15


def wait(driver, condition, timeout: float = WAIT_SECONDS):
    """Waits for `condition`; on timeout, fails with the page the person sees."""
    try:
        return WebDriverWait(driver, timeout).until(condition)
    except TimeoutException:
        shown = driver.find_element(By.TAG_NAME, "body").text
        raise AssertionError(f"waited {timeout}s at {driver.current_url}; the page says:\n{shown}") from None


def text_of(driver, css: str = "main") -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text


def wait_text(driver, text: str, css: str = "main", timeout: float = WAIT_SECONDS) -> str:
    """Waits until `text` shows in the element (htmx updates parts of a page in place)."""
    wait(driver, expected_conditions.text_to_be_present_in_element((By.CSS_SELECTOR, css), text), timeout)
    return text_of(driver, css)


def fill(driver, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        box = driver.find_element(By.NAME, name)
        box.clear()
        box.send_keys(value)


def press(driver, label: str, within: str = "main"):
    """Clicks the button whose text is `label`."""
    button = driver.find_element(By.XPATH, f"//{within}//button[normalize-space()='{label}']")
    button.click()
    return button


def press_and_reload(driver, label: str, within: str = "main") -> None:
    """Presses a button of a plain form and waits for the page the server answers with."""
    button = press(driver, label, within)
    wait(driver, lambda _: gone(button))


# chromedriver, asked about a node while the page that held it is being replaced, may answer this
# instead of "stale element": the node is gone all the same.
NODE_GONE = "does not belong to the document"


def gone(element) -> bool:
    """The element's page has been replaced (selenium's staleness_of, and chromedriver's other word
    for it)."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if NODE_GONE in (error.msg or ""):
            return True
        raise
    return False


def open_page(driver, portal, path: str) -> None:
    driver.get(portal.url + path)
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def sign_in(driver, portal, sms_sink, phone: str) -> str:
    """Signs in with the code the phone got; answers the path the browser landed on."""
    open_page(driver, portal, "/signin")
    sent_before = len(sms_sink.messages(phone))
    fill(driver, {"phone": phone})
    press(driver, "فرستادن کد")
    wait(driver, expected_conditions.url_contains("/signin/code"))
    fill(driver, {"code": sms_sink.code_for(phone, after=sent_before)})
    press(driver, "ورود")
    wait(driver, lambda d: "/signin" not in d.current_url)
    return driver.current_url.removeprefix(portal.url)
