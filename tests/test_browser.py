"""The HTML report in a real browser: Debian's chromium and chromedriver, driven by
Selenium, headless, offline. A report of a seed article (the real pipeline: records,
mentions, comparison with its expectations) and of a hostile article is opened from a
file:// URL; the page must run without a JavaScript error, run no script from the data,
and clicking a record must highlight exactly its evidence and slot spans.

Not skipped when the browser is missing: it fails, saying what to install.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SEEDS

from engine import RuleSet
from engine.batch import Work, process
from engine.compare import ArticleResult, load_file
from engine.compare import compare as compare_records
from engine.documents import Document
from engine.html import Article, MentionMark, render
from engine.pipeline import extract_document

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError as error:  # reported by the fixture: the test fails, it is not skipped
    SELENIUM_MISSING: str | None = str(error)
else:
    SELENIUM_MISSING = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = "apt-get install -y chromium chromium-driver"
SEED = "000_6076344b43b91c38.txt"
PNG = b"\x89PNG\r\n\x1a\n"

HOSTILE = (
    "Alice met Bob in Paris.\r\n"
    '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    "</script><!-- & \"quoted\" 'text'\r\nThe end."
)

SEGMENTS = """
return Array.from(document.querySelectorAll(".seg")).map(function (seg) {
  return [seg.closest(".text").id, parseInt(seg.getAttribute("data-s"), 10),
          parseInt(seg.getAttribute("data-e"), 10),
          seg.classList.contains("evidence-on"), seg.classList.contains("slot-on")];
});
"""
BACKGROUND = "return getComputedStyle(arguments[0]).backgroundColor;"
FIRST_INSIDE = """
var within = arguments[0], without = arguments[1];
function covers(spans, seg) {
  var start = parseInt(seg.getAttribute("data-s"), 10);
  var end = parseInt(seg.getAttribute("data-e"), 10);
  return spans.some(function (span) { return span[0] <= start && end <= span[1]; });
}
return Array.from(document.querySelectorAll("#a0-text .seg")).find(function (seg) {
  return covers(within, seg) && !covers(without, seg);
}) || null;
"""
OUTSIDE = """
var spans = arguments[0];
return Array.from(document.querySelectorAll("#a0-text .seg")).filter(function (seg) {
  var start = parseInt(seg.getAttribute("data-s"), 10);
  var end = parseInt(seg.getAttribute("data-e"), 10);
  return spans.every(function (span) { return end <= span[0] || start >= span[1]; });
}).slice(0, 5);
"""


@pytest.fixture()
def driver(tmp_path: Path) -> Iterator[Any]:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} not found: the report's browser test needs Debian's "
            f"chromium and chromedriver; install them with `{INSTALL}` (as root; CI's .ci/run "
            "does this before tox)",
            pytrace=False,
        )
    if SELENIUM_MISSING is not None:
        pytest.fail(
            f"selenium is not installed ({SELENIUM_MISSING}): pip install selenium",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # an explicit driver path: Selenium Manager is never run (it would fetch drivers)
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        browser.set_page_load_timeout(20)
        yield browser
    finally:
        browser.quit()


def seed_article(rules: RuleSet) -> Article:
    text = (SEEDS / SEED).read_text(encoding="utf-8")
    document = Document(SEED, text, datetime.date(2023, 10, 27))
    records = extract_document(rules, document)
    expected = load_file(
        ROOT / "tests" / "expected" / SEED.replace(".txt", ".yaml"), rules.relations
    )
    result = compare_records(expected, records)
    marks = process(Work(rules, marks=True), document).marks
    return Article(SEED, text, marks, tuple(records), result)


def hostile_article() -> Article:
    start = HOSTILE.index("<script>")
    end = HOSTILE.index("The end")
    record = {
        "relation": "MEETING",
        "doc": "<b>hostile</b>",
        "rule": "<script>window.__pwned = 3</script>",
        "rules": ["x"],
        "args": {"actor1": "Alice", "actor2": "</script><script>window.__pwned = 4</script>"},
        "spans": {"actor1": [0, 5], "actor2": [start, end]},
        "attributes": {},
        "evidence": HOSTILE[start:end],
        "evidence_span": [start, end],
    }
    marks = (
        MentionMark("actor", 0, 5, "Alice", "<i>gazetteer</i>"),
        MentionMark("actor", 10, 13, "Bob", "words"),
        MentionMark("<b>type</b>", start, start + 30, None, "regex"),
        MentionMark("city", 17, 22, "Paris", "words"),
    )
    result = ArticleResult("<b>hostile</b>", unexpected=[record], found={"MEETING": [0, 1, 0, 0]})
    return Article("<b>hostile</b>", HOSTILE, marks, (record,), result)


def spans_of(element: Any) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    def parse(value: str | None) -> list[tuple[int, int]]:
        pairs = [pair.split(",") for pair in (value or "").split()]
        return [(int(start), int(end)) for start, end in pairs]

    return parse(element.get_attribute("data-evidence")), parse(element.get_attribute("data-slots"))


def assert_highlighted(browser: Any, element: Any) -> None:
    """Exactly the segments inside the record's evidence (and slot) spans, in its own
    article's text, carry the highlight classes; every other segment carries none."""
    text_id = element.get_attribute("data-text")
    evidence, slots = spans_of(element)
    assert evidence, "the record has no evidence span to show"
    rows = browser.execute_script(SEGMENTS)
    assert rows, "no text segments in the page"
    for container, start, end, evidence_on, slot_on in rows:
        mine = container == text_id
        assert evidence_on == (mine and any(s <= start and end <= e for s, e in evidence)), (
            container,
            start,
            end,
        )
        assert slot_on == (mine and any(s <= start and end <= e for s, e in slots)), (
            container,
            start,
            end,
        )
    assert sum(1 for row in rows if row[3]) >= 1
    assert "selected" in (element.get_attribute("class") or "").split()
    assert (
        browser.execute_script("return document.querySelectorAll('.record.selected').length") == 1
    )


def severe(browser: Any) -> list[Any]:
    get_log = getattr(browser, "get_log", None)
    if get_log is None:  # pragma: no cover (a driver without logs)
        return []
    return [entry for entry in get_log("browser") if entry.get("level") == "SEVERE"]


def test_clicking_a_record_highlights_its_spans_in_a_real_browser(
    driver: Any, shipped_rules: RuleSet, tmp_path: Path
) -> None:
    seed = seed_article(shipped_rules)
    assert seed.records and seed.mentions and seed.result is not None
    hostile = hostile_article()
    page = tmp_path / "report.html"
    page.write_text(render([seed, hostile], None, title="<b>report</b>"), encoding="utf-8")
    driver.get(page.as_uri())

    assert driver.title == "<b>report</b>"
    assert severe(driver) == []
    # nothing from the data became markup or ran
    assert driver.execute_script("return window.__pwned === undefined") is True
    assert driver.execute_script("return document.scripts.length") == 1
    assert driver.find_elements(By.TAG_NAME, "img") == []
    handlers = (
        "return Array.from(document.querySelectorAll('*')).filter(function (e) {"
        " return Array.from(e.attributes).some(function (a) { return /^on/i.test(a.name); });"
        "}).length"
    )
    assert driver.execute_script(handlers) == 0
    # the browser shows each text character for character (CR LF included)
    shown = "return document.getElementById(arguments[0]).textContent"
    assert driver.execute_script(shown, "a0-text") == seed.text
    assert driver.execute_script(shown, "a1-text") == HOSTILE

    # the hostile article's regression entry (an unexpected record) is clickable too
    entry = driver.find_element(By.CSS_SELECTOR, "#a1 .reg-unexpected.record")
    entry.click()
    assert_highlighted(driver, entry)

    # a record of the seed: its spans light up, the hostile article's go dark
    record = driver.find_elements(By.CSS_SELECTOR, "#a0 .record-item")[0]
    evidence, slots = spans_of(record)
    # a segment of the evidence that is no slot, one of a slot, and some outside both
    inside = driver.execute_script(FIRST_INSIDE, [list(span) for span in evidence], slots)
    slot = driver.execute_script(FIRST_INSIDE, slots, [])
    assert inside is not None and slot is not None
    outside = driver.execute_script(OUTSIDE, [list(span) for span in evidence + slots])
    assert outside, "no text outside the evidence to compare with"
    before = driver.execute_script(BACKGROUND, inside)
    before_slot = driver.execute_script(BACKGROUND, slot)
    before_outside = [driver.execute_script(BACKGROUND, seg) for seg in outside]
    record.click()
    assert_highlighted(driver, record)
    after = driver.execute_script(BACKGROUND, inside)
    assert after != before, f"the evidence background stayed {before}"
    after_slot = driver.execute_script(BACKGROUND, slot)
    assert after_slot not in (before_slot, after), f"the slot background is {after_slot}"
    assert [driver.execute_script(BACKGROUND, seg) for seg in outside] == before_outside
    assert driver.execute_script(
        "var r = arguments[0].getBoundingClientRect();"
        "return r.bottom > 0 && r.top < window.innerHeight;",
        inside,
    ), "the evidence was not scrolled into view"
    assert severe(driver) == []

    screenshot = Path(os.environ.get("REPORT_SCREENSHOT") or tmp_path / "report.png")
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(screenshot))
    data = screenshot.read_bytes()
    assert data.startswith(PNG) and len(data) > 10_000, f"not a screenshot: {screenshot}"

    # clicking the selected record again clears the highlight
    record.click()
    rows = driver.execute_script(SEGMENTS)
    assert not any(row[3] or row[4] for row in rows)
