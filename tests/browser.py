"""A real headless browser for page tests: Playwright driving Debian's Chromium (``/usr/bin/chromium``,
installed by examples/run_tests.sh); nothing is downloaded (no ``playwright install``)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM = os.environ.get("SCIFI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage")


@contextmanager
def chromium() -> Iterator:
    """A Playwright Browser on the system Chromium; skips the test when Chromium is not installed."""
    if not os.path.exists(CHROMIUM):  # examples/run_tests.sh installs it; a bare machine lacks it
        reason = "chromium not installed (apt-get install chromium)"
        if os.environ.get("CI"):  # run_tests.sh installs it in CI: a missing browser is a failed setup there
            pytest.fail(f"CI is set and {reason}: the browser tests cannot run")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS))
        try:
            yield browser
        finally:
            browser.close()
