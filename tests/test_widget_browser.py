"""The chat widget in a real browser: streamed answer, pathway card, inert XSS, keyboard use.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright against the app under uvicorn
on 127.0.0.1. Skips when Chromium is absent, unless ADVISOR_REQUIRE_BROWSER=1 makes that a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import XSS_TITLE, ServerThread, api_settings, bearer

from advisor.api import create_app
from advisor.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
XSS_QUESTION = '<img src=x onerror="window.__xss=3"><script>window.__xss=4</script> I want to become a Data analyst'

if not CHROMIUM.exists():
    if os.environ.get("ADVISOR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is missing and ADVISOR_REQUIRE_BROWSER=1; install it with apt-get install chromium")
    pytest.skip(f"{CHROMIUM} is missing; install it with 'apt-get install chromium' to run the browser test", allow_module_level=True)

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return api_settings(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[ServerThread]:
    with ServerThread(create_app(settings)) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def open_demo(browser, server: ServerThread, settings: Settings, viewport: dict[str, int]):  # type: ignore[no-untyped-def]
    """Open the demo host page with a fresh learner token; return the page and its dialog log."""
    page = browser.new_page(viewport=viewport)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    token = bearer(settings, "learner-1")["Authorization"].removeprefix("Bearer ")
    page.goto(f"{server.base_url}/demo#token={token}")
    return page, dialogs


def ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Ask the advisor").click()
    box = page.get_by_label("Your question for the advisor")
    assert box.evaluate("node => node.getRootNode().activeElement === node"), "opening did not focus the input"
    box.fill(question)
    box.press("Enter")
    page.locator(".pathway").first.wait_for(timeout=20_000)
    page.get_by_role("button", name="Send the question").wait_for(timeout=20_000)


def test_widget_answers_with_inert_xss(browser, server: ServerThread, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    page, dialogs = open_demo(browser, server, settings, {"width": 1280, "height": 860})

    ask(page, XSS_QUESTION)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-desktop.png"))

    user_bubble = page.locator(".msg.user").first
    card = page.locator(".pathway").first
    steps = card.locator(".step")
    hostile = steps.filter(has_text="for Analysts")
    assert user_bubble.inner_text() == XSS_QUESTION
    assert steps.count() == 3
    assert hostile.locator(".step-title").inner_text() == XSS_TITLE
    assert hostile.locator("a").get_attribute("href") == "https://courses.example.org/sql"
    assert "cost unknown" in hostile.inner_text()
    assert "12 h" in hostile.inner_text()
    assert hostile.locator(".chip").all_inner_texts() == ["SQL"]
    assert "USD 49.00" in steps.filter(has_text="Python for Everybody").inner_text()
    assert page.locator(".msg.assistant").last.inner_text().startswith("Your goal: Data analyst")

    assert page.get_by_role("button", name="Ask the advisor").is_hidden()
    assert dialogs == []
    assert page.evaluate("window.__xss") is None
    assert page.locator("img").count() == 0
    assert page.locator("[data-advisor-widget] script").count() == 0


def test_widget_keyboard_and_phone(browser, server: ServerThread, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    page, dialogs = open_demo(browser, server, settings, {"width": 390, "height": 780})

    ask(page, "I want to become a Data analyst")
    page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))
    panel_box = page.locator(".panel").bounding_box()
    page.keyboard.press("Escape")

    assert panel_box is not None
    assert panel_box["width"] == 390
    assert page.locator(".panel").is_hidden()
    launcher = page.get_by_role("button", name="Ask the advisor")
    assert launcher.evaluate("node => node.getRootNode().activeElement === node")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert page.locator("[role=log]").get_attribute("aria-live") == "polite"
    assert dialogs == []
