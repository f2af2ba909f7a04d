"""Format drift: the same news in a changed format must give the same records.

Every drift rewrites copies of ALL five seed articles (with their manifest) in tmp_path;
the seeds themselves are never touched. Per document, the sorted list of
(relation, args, rules) must equal what the undrifted seeds give, run the same way;
offsets and evidence text may change, values may not. And the analysts' expectations
(`--expected tests/expected/`) must still hold. A real change of the news, in contrast,
must be reported as a regression.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, RULES, SEEDS

from engine.cli import main

EXPECTED = ROOT / "tests" / "expected"
MANIFEST = "manifest.yaml"
NBSP = "\u00a0"
ARTICLE_000 = "000_6076344b43b91c38.txt"

Key = tuple[str, str, tuple[str, ...]]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def seed_texts() -> dict[str, str]:
    """Seed file name -> text, read exactly as stored (no newline translation)."""
    return {path.name: path.read_bytes().decode("utf-8") for path in sorted(SEEDS.glob("*.txt"))}


def write_folder(folder: Path, texts: dict[str, str], bom: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SEEDS / MANIFEST, folder / MANIFEST)
    for name, text in texts.items():
        data = text.encode("utf-8")
        (folder / name).write_bytes(b"\xef\xbb\xbf" + data if bom else data)
    return folder


def keys_by_doc(output: str) -> dict[str, list[Key]]:
    found: dict[str, list[Key]] = {}
    for line in output.splitlines():
        record = json.loads(line)
        key = (
            record["relation"],
            json.dumps(record["args"], sort_keys=True, ensure_ascii=False),
            tuple(record["rules"]),
        )
        found.setdefault(record["doc"], []).append(key)
    return {doc: sorted(keys) for doc, keys in sorted(found.items())}


# ------------------------------------------------------------------ drifts

NAMES = (
    "Ali Bagheri Kani",
    "Bagheri Kani",
    "Bagheri Khani",
    "Baghiri Kani",
    "Moussa Abu Marzouk",
    "Moussa Abou Marzouk",
    "Mousa Abu Marzouk",
    "Musa Abu Marzouk",
    "Abu Marzouk",
    "Abu Marzuk",
    "Abu Hamid",
    "Mikhail Bogdanov",
    "Vladimir Putin",
    "Dmitry Peskov",
    "Maria Zakharova",
    "Volodymyr Zelenskyy",
)
_NAME = re.compile("|".join(re.escape(name) for name in NAMES))


def _in_names(text: str, space: str) -> str:
    return _NAME.sub(lambda match: match.group().replace(" ", space), text)


def straight_quotes(text: str) -> str:
    return text.translate(
        str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
    )


def curly_quotes(text: str) -> str:
    # an apostrophe or a closing quote after a letter, an opening quote before one
    text = re.sub(r"(?<=\w)'", "\u2019", text)
    text = re.sub(r"'(?=\w)", "\u2018", text)
    text = text.replace("'", "\u2019")
    text = re.sub(r'(?:(?<=^)|(?<=[\s(\[]))"', "\u201c", text, flags=re.MULTILINE)
    return text.replace('"', "\u201d")


def nbsp_in_names(text: str) -> str:
    return _in_names(text, NBSP)


def double_hyphens(text: str) -> str:
    return text.replace("\u2014", "--").replace("\u2013", "--")


def hard_wrapped(text: str) -> str:
    """Every paragraph (here: every line; the blank lines between them stay) wrapped at 72."""
    return "\n".join(textwrap.fill(line, 72) if line.strip() else line for line in text.split("\n"))


def crlf_and_bom(text: str) -> str:
    return text.replace("\n", "\r\n")  # the BOM is written by write_folder(bom=True)


def html_entities(text: str) -> str:
    text = text.replace("&", "&amp;")  # first: the entities below must stay entities
    text = text.replace("\u2019", "&#8217;").replace('"', "&quot;")
    text = text.replace(", ", ",&nbsp;")
    return _in_names(text, "&nbsp;")


BOILERPLATE = (
    "Advertisement",
    "Share this article: Facebook Twitter WhatsApp",
    "Read more: Russia says Hamas delegation met Bogdanov in Moscow",
    "We use cookies to improve your experience. By continuing you accept our cookie policy.",
    "\u00a9 2023 Example News. All rights reserved.",
)
_TERMINAL = re.compile(r"""[.!?:;"'\u201d)\]]\s*$""")
_STARTS = re.compile(r"""\s*[A-Z0-9"'\u201c(]""")


def boilerplate(text: str) -> str:
    """A boilerplate line between paragraphs, cycling through the kinds.

    A paragraph ends at a blank line (then the boilerplate gets blank lines of its own),
    or, in articles without blank lines, at a line that ends a sentence before a line that
    starts one.
    """
    lines = text.split("\n")
    out = [lines[0]]
    count = 0
    for previous, current in zip(lines, lines[1:], strict=False):
        if previous.strip() and not current.strip():
            out.extend(["", BOILERPLATE[count % len(BOILERPLATE)]])
            count += 1
        elif (
            previous.strip()
            and current.strip()
            and _TERMINAL.search(previous)
            and _STARTS.match(current)
        ):
            out.append(BOILERPLATE[count % len(BOILERPLATE)])
            count += 1
        out.append(current)
    return "\n".join(out)


DRIFTS: dict[str, Callable[[str], str]] = {
    "straight_quotes": straight_quotes,
    "curly_quotes": curly_quotes,
    "nbsp_in_names": nbsp_in_names,
    "double_hyphens": double_hyphens,
    "hard_wrapped": hard_wrapped,
    "crlf_and_bom": crlf_and_bom,
    "html_entities": html_entities,
    "boilerplate": boilerplate,
}
# everything at once: the order matters only where drifts touch the same characters
ALL_AT_ONCE = (
    "boilerplate",
    "curly_quotes",
    "double_hyphens",
    "nbsp_in_names",
    "hard_wrapped",
    "html_entities",
    "crlf_and_bom",
)


def drifted(names: tuple[str, ...]) -> dict[str, str]:
    texts = seed_texts()
    for name in names:
        texts = {doc: DRIFTS[name](text) for doc, text in texts.items()}
    return texts


# ------------------------------------------------------------------ the baseline


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Key]]:
    folder = write_folder(tmp_path_factory.mktemp("undrifted"), seed_texts())
    code, out, err = run("--rules", str(RULES), str(folder))
    assert code == 0, err
    found = keys_by_doc(out)
    assert set(found) == set(seed_texts()), "every seed gives records"
    return found


def test_the_baseline_is_what_the_seed_folder_gives(baseline: dict[str, list[Key]]) -> None:
    code, out, _ = run("--rules", str(RULES), str(SEEDS))
    assert code == 0
    assert keys_by_doc(out) == baseline


# ------------------------------------------------------------------ the drifts themselves


@pytest.mark.parametrize("name", sorted(DRIFTS))
def test_every_drift_changes_every_seed(name: str) -> None:
    """A drift that leaves a seed as it was would test nothing."""
    original = seed_texts()
    changed = drifted((name,))
    same = [doc for doc in original if changed[doc] == original[doc]]
    if name == "curly_quotes":
        # articles already typeset with curly quotes may have no straight one left
        assert changed != original
    elif name == "double_hyphens":
        assert [doc for doc in original if "\u2014" in original[doc]]
        assert all("\u2014" not in text and "\u2013" not in text for text in changed.values())
    elif name == "straight_quotes":
        assert all(not re.search("[\u2018\u2019\u201c\u201d]", t) for t in changed.values())
    else:
        assert same == [], f"{name} leaves {same} unchanged"


def test_the_drifts_do_what_they_say() -> None:
    assert curly_quotes("\"Hamas' envoy,\" he said; it's 'fine'.") == (
        "\u201cHamas\u2019 envoy,\u201d he said; it\u2019s \u2018fine\u2019."
    )
    assert straight_quotes("\u201cRussia\u2019s\u201d") == '"Russia\'s"'
    assert nbsp_in_names("Ali Bagheri Kani and Abu Marzouk") == (
        f"Ali{NBSP}Bagheri{NBSP}Kani and Abu{NBSP}Marzouk"
    )
    assert html_entities('A & B\u2019s "x", Mikhail Bogdanov') == (
        "A &amp; B&#8217;s &quot;x&quot;,&nbsp;Mikhail&nbsp;Bogdanov"
    )
    wrapped = hard_wrapped("word " * 40 + "\n\nshort")
    assert max(len(line) for line in wrapped.split("\n")) <= 72
    assert wrapped.endswith("\n\nshort") and wrapped.count("\n") >= 4
    assert boilerplate("One.\n\nTwo.\nThree.") == (
        "One.\n\nAdvertisement\n\nTwo.\nShare this article: Facebook Twitter WhatsApp\nThree."
    )


# ------------------------------------------------------------------ same news, same records


@pytest.mark.parametrize(
    "names",
    [(name,) for name in DRIFTS] + [ALL_AT_ONCE],
    ids=[*DRIFTS, "all_at_once"],
)
def test_drift_gives_the_same_records(
    names: tuple[str, ...], tmp_path: Path, baseline: dict[str, list[Key]]
) -> None:
    folder = write_folder(tmp_path / "drifted", drifted(names), bom="crlf_and_bom" in names)
    code, out, err = run("--rules", str(RULES), str(folder))
    assert code == 0, err
    found = keys_by_doc(out)
    for doc in baseline:
        assert found.get(doc, []) == baseline[doc], f"{doc} after {', '.join(names)}"
    assert found.keys() == baseline.keys()


@pytest.mark.parametrize(
    "names",
    [(name,) for name in DRIFTS] + [ALL_AT_ONCE],
    ids=[*DRIFTS, "all_at_once"],
)
def test_drift_keeps_the_expectations(names: tuple[str, ...], tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "drifted", drifted(names), bom="crlf_and_bom" in names)
    code, _, err = run("--rules", str(RULES), "--expected", str(EXPECTED), str(folder))
    assert code == 0, err
    assert "0 of 5 articles regressed" in err


def test_the_seeds_are_not_touched() -> None:
    for name, text in seed_texts().items():
        assert "\r" not in text and not text.startswith("\ufeff"), name
        assert "&#8217;" not in text and "Advertisement" not in text, name


# ------------------------------------------------------------------ a real change of the news

DELETED = (
    "On Thursday, Bagheri Khani met with Russia\u2019s Deputy Foreign Minister Mikhail Bogdanov,"
)


def test_deleting_a_meeting_is_a_regression(tmp_path: Path) -> None:
    texts = seed_texts()
    lines = texts[ARTICLE_000].split("\n")
    kept = [line for line in lines if not line.startswith(DELETED)]
    assert len(kept) == len(lines) - 1, "the sentence is one whole line of seed 000"
    texts[ARTICLE_000] = "\n".join(kept)
    folder = write_folder(tmp_path / "changed", texts)

    code, out, err = run("--rules", str(RULES), "--expected", str(EXPECTED), str(folder))

    assert code == 1
    assert f"{ARTICLE_000}: REGRESSION" in err.splitlines()
    missing = [line for line in err.splitlines() if "missing" in line]
    assert len(missing) == 1, err
    assert "MEETING" in missing[0]
    assert "Ali Bagheri Kani" in missing[0] and "Mikhail Bogdanov" in missing[0]
    assert "1 of 5 articles regressed" in err
    for other in sorted(texts):
        if other != ARTICLE_000:
            assert f"{other}: ok" in err.splitlines()
    # the other records are still written
    assert {json.loads(line)["doc"] for line in out.splitlines()} == set(texts)
