"""Bad documents among good ones: each is reported (standard error and --errors) and
skipped or repaired, the batch goes on, and the good documents' records are exactly what
they are without the bad ones."""

from __future__ import annotations

import codecs
import functools
import gzip
import io
import json
import shutil
import time
import zlib
from pathlib import Path

import pytest
from conftest import RULES, SEEDS
from hypothesis import example, given, settings
from hypothesis import strategies as st

import engine.cli
from engine import documents
from engine.cli import main
from engine.documents import Item, JsonLine, Unreadable, count_documents

# name -> (bytes of a .txt file, kind in the errors file, words of the reason)
BAD_FILES = {
    "empty.txt": (b"", "unreadable", "no text"),
    "blank.txt": (b"  \n\n\t \n", "unreadable", "no text"),
    "binary.txt": (b"\x00\x01\x02\x03PK\x03\x04" * 50, "unreadable", "binary"),
    "png.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "unreadable", "binary"),
    "cp1252.txt": (
        "Caf\xe9 \u2013 na\xefve r\xe9sum\xe9 talks.".encode("cp1252"),
        "repaired",
        "Windows-1252",
    ),
    "latin1.txt": ("S\xe3o Paulo talks ended.".encode("latin-1"), "repaired", "Windows-1252"),
}
# JSON lines -> (kind, words of the reason)
BAD_LINES = [
    ("{not json", "unreadable", "not valid JSON"),
    ('["a", "list"]', "unreadable", "must be an object"),
    ('{"id": "no-text"}', "unreadable", 'no "text"'),
    ('{"id": "number-text", "text": 42}', "unreadable", 'no "text"'),
    (
        '{"id": "bad-date", "text": "Talks.", "published": "27/10/2023"}',
        "unreadable",
        "publication date",
    ),
    ('{"id": "empty-text", "text": ""}', "unreadable", "no text"),
    # spaces only, Unicode ones and the separators Python counts as spaces among them
    ('{"id": "spaces-text", "text": " \\u3000\\u2029\\t\\n\\u001c"}', "unreadable", "no text"),
    # a number too long for Python's int, and brackets nested too deep for its decoder
    ('{"id": ' + "1" * 5000 + ', "text": "Talks."}', "unreadable", "not valid JSON"),
    (
        '{"id": "deep", "text": "Talks.", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "unreadable",
        "not valid JSON",
    ),  # fmt: skip
]


def run(*argv: str) -> tuple[int, list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--rules", str(RULES), *argv], stdout=out, stderr=err)
    return code, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def seed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(SEEDS, folder)
    return folder


def test_bad_files_among_the_seeds(tmp_path: Path) -> None:
    _, alone, _ = run(str(SEEDS))
    folder = seed_folder(tmp_path)
    for name, (data, _, _) in BAD_FILES.items():
        (folder / name).write_bytes(data)
    errors = tmp_path / "errors.jsonl"
    code, records, err = run(str(folder), "--errors", str(errors))
    assert code == 1
    assert [r for r in records if r["doc"] in {p.name for p in SEEDS.glob("*.txt")}] == alone
    logged = {e["doc"]: e for e in map(json.loads, errors.read_text("utf-8").splitlines())}
    assert set(logged) == set(BAD_FILES)
    for name, (_, kind, words) in BAD_FILES.items():
        assert logged[name]["kind"] == kind and words in logged[name]["reason"], name
        assert name in err
    failed = sum(1 for _, kind, _ in BAD_FILES.values() if kind != "repaired")
    total = len(BAD_FILES) + 5
    assert f"{total} documents read, {total - failed} processed, {failed} failed" in err


@pytest.mark.parametrize("packed", [False, True], ids=["jsonl", "jsonl.gz"])
def test_bad_json_lines_among_good_ones(tmp_path: Path, packed: bool) -> None:
    good = [
        json.dumps({"id": p.name, "text": p.read_text("utf-8"), "published": "2023-10-27"})
        for p in sorted(SEEDS.glob("*.txt"))
    ]
    lines = [good[0], *(line for line, _, _ in BAD_LINES), *good[1:], "\xff not utf-8"]
    feed = tmp_path / ("feed.jsonl.gz" if packed else "feed.jsonl")
    data = "\n".join(lines).encode("utf-8").replace("\xff".encode(), b"\xff")
    feed.write_bytes(gzip.compress(data) if packed else data)
    errors = tmp_path / "errors.jsonl"
    code, records, err = run(str(feed), "--errors", str(errors))
    assert code == 1
    assert {r["doc"] for r in records} <= {p.name for p in SEEDS.glob("*.txt")}
    logged = [json.loads(line) for line in errors.read_text("utf-8").splitlines()]
    assert len(logged) == len(BAD_LINES) + 1
    for entry, (_, kind, words) in zip(logged, BAD_LINES, strict=False):
        assert entry["kind"] == kind and words in entry["reason"], entry
    assert "not UTF-8" in logged[-1]["reason"]
    total = len(lines)
    assert f"{total} documents read, 5 processed, {total - 5} failed" in err


def test_a_truncated_gzip_is_reported_and_what_was_read_is_kept(tmp_path: Path) -> None:
    good = [json.dumps({"id": f"d{i}", "text": "Talks were held. " * 200}) for i in range(50)]
    packed = gzip.compress("\n".join(good).encode("utf-8"))
    feed = tmp_path / "cut.jsonl.gz"
    feed.write_bytes(packed[: len(packed) // 2])
    # what can be unpacked of the first half: its whole lines are documents
    whole = zlib.decompressobj(31).decompress(packed[: len(packed) // 2]).count(b"\n")
    assert 0 < whole < 49
    code, records, err = run(str(feed))
    assert code == 1
    assert f"skipped cut.jsonl.gz:{whole + 1}: the file cannot be read further" in err
    assert f"{whole + 1} documents read, {whole} processed, 1 failed" in err
    assert "Traceback" not in err


def test_a_broken_manifest_is_reported_and_its_documents_still_read(tmp_path: Path) -> None:
    folder = seed_folder(tmp_path)
    (folder / "manifest.yaml").write_text("000.txt: [unclosed\n", encoding="utf-8")
    code, records, err = run(str(folder))
    assert code == 1
    assert "manifest" in err and "cannot be read" in err
    assert {r["doc"] for r in records} == {p.name for p in SEEDS.glob("*.txt")}


def test_a_document_of_tens_of_megabytes_does_not_stop_the_batch(tmp_path: Path) -> None:
    """Processed, or given up when matching it takes longer than --timeout: either way it
    is accounted for and the document after it is processed."""
    folder = tmp_path / "docs"
    folder.mkdir()
    paragraph = (SEEDS / "000_6076344b43b91c38.txt").read_text("utf-8").split("\n\n")[-3]
    big = folder / "a_big.txt"
    big.write_text((paragraph + "\n\n") * (10_500_000 // len(paragraph)), encoding="utf-8")
    assert big.stat().st_size > 10_000_000
    shutil.copy(SEEDS / "000_6076344b43b91c38.txt", folder / "b_seed.txt")
    errors = tmp_path / "errors.jsonl"
    started = time.monotonic()
    code, records, err = run(
        str(folder), "--published", "2023-10-27", "--timeout", "10", "--errors", str(errors)
    )
    assert time.monotonic() - started < 240
    assert "Traceback" not in err
    assert "b_seed.txt" in {r["doc"] for r in records}
    logged = [json.loads(line) for line in errors.read_text("utf-8").splitlines()]
    if code == 1:
        assert [(e["doc"], e["kind"]) for e in logged] == [("a_big.txt", "failed")]
        assert "ran out of time" in logged[0]["reason"]
    else:
        assert code == 0 and logged == []
    assert "2 documents read" in err


def test_characters_utf8_cannot_write_are_replaced_and_noted(tmp_path: Path) -> None:
    """JSON may hold a lone surrogate ("\\ud800"): the document is repaired, not lost, and
    the output stays UTF-8."""
    text = SEEDS.joinpath("000_6076344b43b91c38.txt").read_text("utf-8")
    broken = text.replace("Moscow", "Moscow\ud800", 1)
    lines = [
        json.dumps({"id": "sur\udc80", "text": broken, "published": "2023-10-27"}),
        json.dumps({"id": "clean", "text": text, "published": "2023-10-27"}),
    ]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines), encoding="utf-8")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    code, _, err = run(str(feed), "-o", str(out), "--errors", str(errors))
    assert code == 0, err
    records = [json.loads(line) for line in out.read_bytes().decode("utf-8").splitlines()]
    repaired = [r for r in records if r["doc"] == "sur\ufffd"]
    assert repaired and len(repaired) == sum(r["doc"] == "clean" for r in records)
    logged = [json.loads(line) for line in errors.read_text("utf-8").splitlines()]
    assert [(e["doc"], e["kind"]) for e in logged] == [("sur\ufffd", "repaired")] * 2
    assert "U+FFFD" in logged[0]["reason"]


@pytest.mark.parametrize("where", ["jsonl", "jsonl.gz", "stdin bytes", "stdin text"])
def test_a_byte_order_mark_before_the_first_line_is_not_part_of_it(
    tmp_path: Path, where: str
) -> None:
    """Windows tools start UTF-8 files with a byte order mark: the first line is still a
    document, with the same records as without the mark."""
    lines = [
        json.dumps({"id": p.name, "text": p.read_text("utf-8"), "published": "2023-10-27"})
        for p in sorted(SEEDS.glob("*.txt"))
    ]
    data = "\n".join(lines).encode("utf-8") + b"\n"

    def records_of(feed_bytes: bytes) -> tuple[int, list[dict], str]:
        if where.startswith("stdin"):
            out, err = io.StringIO(), io.StringIO()
            stream = io.TextIOWrapper(io.BytesIO(feed_bytes), encoding="utf-8")
            if where == "stdin text":  # a stream without .buffer: read as text
                stream = io.StringIO(feed_bytes.decode("utf-8"))
            code = main(["--rules", str(RULES), "-"], stdout=out, stderr=err, stdin=stream)
            return code, [json.loads(x) for x in out.getvalue().splitlines()], err.getvalue()
        feed = tmp_path / f"feed.{where}"
        feed.write_bytes(gzip.compress(feed_bytes) if where.endswith("gz") else feed_bytes)
        return run(str(feed))

    code, plain, _ = records_of(data)
    assert code == 0 and {r["doc"] for r in plain} >= {"000_6076344b43b91c38.txt"}
    code, marked, err = records_of(codecs.BOM_UTF8 + data)
    assert code == 0, err
    assert marked == plain
    assert f"{len(lines)} documents read, {len(lines)} processed, 0 failed" in err


def test_a_byte_order_mark_starts_no_text_file(tmp_path: Path) -> None:
    """A .txt article saved with a byte order mark gives the records, offsets included,
    of the same article without it (the JSON-lines reader drops the mark too), and its
    evidence is still the text at its span."""
    plain, marked = tmp_path / "plain", tmp_path / "marked"
    for folder in (plain, marked):
        shutil.copytree(SEEDS, folder)
    for path in sorted(marked.glob("*.txt")):
        path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    code, without, _ = run(str(plain))
    assert code == 0 and without
    code, with_mark, err = run(str(marked))
    assert code == 0, err
    assert with_mark == without
    for record in with_mark:
        start, end = record["evidence_span"]
        text = (plain / record["doc"]).read_text("utf-8")
        assert text[start:end] == record["evidence"]


def test_a_null_or_empty_id_is_the_lines_place(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    text = SEEDS.joinpath("000_6076344b43b91c38.txt").read_text("utf-8")
    feed.write_text(
        json.dumps({"id": None, "text": text, "published": "2023-10-27"})
        + "\n"
        + json.dumps({"id": "", "text": text, "published": "2023-10-27"})
        + "\n",
        encoding="utf-8",
    )
    code, records, err = run(str(feed))
    assert code == 0, err
    assert {r["doc"] for r in records} == {"feed.jsonl:1", "feed.jsonl:2"}


def test_a_corrupt_gzip_is_reported_and_what_was_read_is_kept(tmp_path: Path) -> None:
    good = [json.dumps({"id": f"d{i}", "text": f"Talks {i} were held. " * 50}) for i in range(60)]
    packed = bytearray(gzip.compress("\n".join(good).encode("utf-8")))
    for place in range(len(packed) // 2, len(packed) - 8):  # a flip zlib itself notices
        flipped = bytearray(packed)
        flipped[place] ^= 0xFF
        try:
            gzip.decompress(bytes(flipped))
        except zlib.error:
            break
        except (OSError, EOFError):
            continue
    else:
        pytest.fail("no byte flip makes zlib fail")
    feed = tmp_path / "flipped.jsonl.gz"
    feed.write_bytes(bytes(flipped))
    code, _, err = run(str(feed))
    assert code == 1
    assert "flipped.jsonl.gz:" in err and "the file cannot be read further" in err
    assert "Traceback" not in err


def test_counting_a_corrupt_gzip_for_the_progress_bar_does_not_fail(tmp_path: Path) -> None:
    packed = gzip.compress(b'{"id": "a", "text": "Talks."}\n' * 1000)
    feed = tmp_path / "cut.jsonl.gz"
    feed.write_bytes(packed[: len(packed) // 2])
    assert count_documents([str(feed)]) is None


def test_an_impossible_date_in_the_manifest_is_reported_and_documents_still_read(
    tmp_path: Path,
) -> None:
    folder = seed_folder(tmp_path)
    (folder / "manifest.yaml").write_text(
        "000_6076344b43b91c38.txt: {published: 2023-02-30}\n", encoding="utf-8"
    )
    code, records, err = run(str(folder))
    assert code == 1
    assert "manifest" in err and "cannot be read" in err and "Traceback" not in err
    assert {r["doc"] for r in records} == {p.name for p in SEEDS.glob("*.txt")}


@pytest.mark.parametrize("where", ["-o missing/out.jsonl", "-o folder", "--errors missing/e.jsonl"])
def test_an_output_that_cannot_be_written_is_a_usage_error(tmp_path: Path, where: str) -> None:
    (tmp_path / "folder").mkdir()
    option, path = where.split()
    argv = [str(SEEDS), option, str(tmp_path / path)]
    if option == "--errors":
        argv += ["-o", str(tmp_path / "out.jsonl")]
    code, _, err = run(*argv)
    assert code == 2, err
    assert f"extract: cannot write {tmp_path / path}" in err and "Traceback" not in err
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob("*.progress"))


def test_ctrl_c_stops_with_a_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(engine.cli, "_handle", interrupted)
    code, _, err = run(str(SEEDS))
    assert code == 130
    assert err.strip().splitlines()[-1] == "extract: interrupted"


# ------------------------------------------------------------------ two JSON readers

# what a feed's metadata may hold: any JSON value, numbers of every size and kind among
# them (floats, NaN, infinities, integers beyond 64 bits), and text with lone surrogates
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)


@given(value=JSON_VALUES, escaped=st.booleans())
@example(value=2**70, escaped=True)
@example(value=[1.5, {"x": float("nan")}], escaped=True)
@example(value=float("inf"), escaped=True)
@example(value="\ud800 lone", escaped=True)
@example(value=functools.reduce(lambda inner, _: [inner], range(150), "deep"), escaped=True)
@settings(max_examples=300, deadline=None)
def test_a_json_line_gives_the_document_pythons_json_reads_in_it(
    value: object, escaped: bool
) -> None:
    """Lines are read by orjson where it reads them as Python's json does, else by json:
    either way, the document (its metadata to the last bit of a float) or the reason it
    cannot be read is json's."""
    line = json.dumps({"id": "d", "text": "Talks.", "meta": value}, ensure_ascii=escaped)
    data = line.encode("utf-8", "surrogatepass")  # (unescaped lone surrogates: not UTF-8)
    read = JsonLine(data, "feed.jsonl:1", None).read()
    assert repr(read) == repr(by_json(data))


def by_json(data: bytes) -> Item:
    """What a line gives read by Python's json alone."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return Unreadable("feed.jsonl:1", f"the line is not UTF-8 ({error.reason})")
    return documents._json_document(json.loads(text), "feed.jsonl:1", None)
