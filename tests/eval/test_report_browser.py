"""report.html as a person sees it: loaded in a real headless Chromium (Selenium + Debian's chromedriver)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from swift_scifi.eval.plot_fonts import cjk_family
from swift_scifi.eval.records import bundled_queries
from swift_scifi.eval.runner import EvalConfig, run_eval
from tests.eval.fixtures import judge, settings, write_responses, writingbench_sample  # noqa: F401

CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser():
    if (
        CHROMEDRIVER is None
    ):  # examples/setup_env.sh installs chromium + chromium-driver; a bare machine lacks them
        pytest.skip("chromedriver not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,2000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def test_report_renders_every_plot_and_the_summary(tmp_path, judge, browser):  # noqa: F811
    queries = writingbench_sample(tmp_path, 12)
    responses = write_responses(tmp_path / "r.jsonl", queries)
    cfg = EvalConfig(queries=queries, responses=responses, out=tmp_path / "out", judge=settings(judge),
                     criteria_cache=tmp_path / "cache", resamples=200, progress=False)  # fmt: skip
    summary = run_eval(cfg)
    report = Path(cfg.out) / "report.html"

    browser.get(report.as_uri())
    images = browser.find_elements("tag name", "img")
    assert len(images) == 5
    for img in images:  # every plot decoded and laid out at a visible size
        ok = browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 100", img)
        assert ok and img.size["width"] > 100 and img.size["height"] > 100
    text = browser.find_element("tag name", "body").text
    assert f"{summary['overall']['mean']:.2f}" in text  # the overall mean is shown
    assert "Per domain1" in text
    browser.save_screenshot(str(tmp_path / "report.png"))
    assert (tmp_path / "report.png").stat().st_size > 20_000  # a real, non-blank render


def test_chinese_report_renders_labels_sorts_worst_first_and_shows_the_manifest(tmp_path, judge, browser):  # noqa: F811
    """The bundled zh + en example set: Chinese domain labels in the charts use a CJK font (installed by
    examples/run_tests.sh), the per-query table starts with the worst response and re-sorts on a click."""
    queries = bundled_queries()["scifi-example"]
    responses = write_responses(tmp_path / "r.jsonl", queries, score_of=lambda i: [6, 3, 9, 2, 8, 5][i])
    cfg = EvalConfig(queries=queries, responses=responses, out=tmp_path / "out", judge=settings(judge),
                     criteria_cache=tmp_path / "cache", resamples=200, progress=False)  # fmt: skip
    run_eval(cfg)
    assert cjk_family() is not None, "no CJK font: apt-get install fonts-wqy-microhei (examples/run_tests.sh)"

    browser.get((cfg.out / "report.html").as_uri())
    for img in browser.find_elements("tag name", "img"):
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 100", img)
    text = browser.find_element("tag name", "body").text
    assert "科幻小说" in text and "SCRIPTED JUDGE" in text and "protocol project" in text
    rows = browser.find_elements("css selector", "#queries tbody tr")
    first = [r.find_elements("tag name", "td")[0].text for r in rows]
    assert first[0] == "zh-1" and first[-1] == "en-3"  # scores 2 ... 9: worst first
    assert "设定落地" in rows[0].text  # the criterion names and reasons of that query are in its row
    browser.find_element("css selector", "#queries th:nth-child(3)").click()  # sort by score, ascending
    browser.find_element("css selector", "#queries th:nth-child(3)").click()  # and descending
    rows = browser.find_elements("css selector", "#queries tbody tr")
    assert rows[0].find_elements("tag name", "td")[0].text == "en-3"
    manifest = browser.find_element("css selector", "dl.manifest").text
    assert "scripted-judge" in manifest and "protocol" in manifest and "score_criterion" in manifest
    browser.save_screenshot(str(tmp_path / "report-zh.png"))
