"""The `extract` command: inputs, outputs, summary and exit codes."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, RULES, SEEDS

from engine.cli import main

MEETING_TEXT = "Alice Arden met Bob Brandt in Paris on Thursday."
RULES_TEXT = """
relation MEETING(actor, actor, city?, date?) unordered
entity actor: words "Alice Arden", "Bob Brandt"
entity city: words "Paris"
entity date: words "Thursday" normalise date
rule met -> MEETING: within sentence: a:actor "met" b:actor
    fill city from nearest city in sentence
    fill date from nearest date in sentence
"""


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def small_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "meet.rules").write_text(RULES_TEXT, encoding="utf-8")
    return folder


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def test_seeds_run_exits_0_with_records_and_a_summary() -> None:
    code, out, err = run("--rules", str(RULES), str(SEEDS))
    assert code == 0
    found = records(out)
    assert found and {r["relation"] for r in found} == {"MEETING"}
    assert {r["doc"] for r in found} == {p.name for p in SEEDS.glob("*.txt")}
    assert "5 documents read, 5 processed, 0 failed" in err
    assert f"MEETING {len(found)}" in err


def test_version_names_the_build_that_runs_without_rules() -> None:
    """`extract --version` tells an analyst whether the install compiled (setup.py falls
    back to pure Python where it cannot): compiled exactly when the engine's per-token
    modules are not Python files."""
    import engine.match

    code, out, err = run("--version")
    assert code == 0 and err == ""
    compiled = not engine.match.__file__.endswith(".py")
    expected = "compiled build (mypyc)" if compiled else "pure-Python build"
    assert out.startswith("extract: newsrules ") and out.rstrip().endswith(expected)


def test_output_is_the_same_bytes_on_every_run() -> None:
    first = run("--rules", str(RULES), str(SEEDS))[1]
    second = run("--rules", str(RULES), str(SEEDS))[1]
    assert first == second


def test_records_follow_input_order_and_evidence_position() -> None:
    found = records(run("--rules", str(RULES), str(SEEDS))[1])
    keys = [(r["doc"], r["evidence_span"][0]) for r in found]
    assert keys == sorted(keys)


def test_output_file_holds_what_stdout_would(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    code, out, _ = run("--rules", str(RULES), str(SEEDS), "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8") == run("--rules", str(RULES), str(SEEDS))[1]
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]  # no temporary left behind


def test_manifest_gives_the_publication_date(tmp_path: Path, small_rules: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(MEETING_TEXT, encoding="utf-8")
    (folder / "manifest.yaml").write_text("a.txt:\n  published: 2024-03-09\n", encoding="utf-8")
    (record,) = records(run("--rules", str(small_rules), str(folder))[1])
    assert record["args"]["date"] == "2024-03-07"  # the Thursday before Saturday 9 March
    assert record["doc"] == "a.txt"


def test_published_flag_is_the_fallback_date(tmp_path: Path, small_rules: Path) -> None:
    doc = tmp_path / "b.txt"
    doc.write_text(MEETING_TEXT, encoding="utf-8")
    (with_flag,) = records(
        run("--rules", str(small_rules), str(doc), "--published", "2024-03-09")[1]
    )
    (without,) = records(run("--rules", str(small_rules), str(doc))[1])
    assert with_flag["args"]["date"] == "2024-03-07"
    assert without["args"]["date"] is None  # no anchor: no guess


def test_json_lines_files_gzip_and_standard_input(tmp_path: Path, small_rules: Path) -> None:
    line = json.dumps({"id": "w1", "text": MEETING_TEXT, "published": "2024-03-09"}) + "\n"
    plain = tmp_path / "feed.jsonl"
    plain.write_text(line, encoding="utf-8")
    packed = tmp_path / "feed.jsonl.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as stream:
        stream.write(line)
    outputs = [
        run("--rules", str(small_rules), str(plain))[1],
        run("--rules", str(small_rules), str(packed))[1],
        run("--rules", str(small_rules), "-", stdin=line)[1],
    ]
    assert outputs[0] == outputs[1] == outputs[2]
    (record,) = records(outputs[0])
    assert record["doc"] == "w1" and record["args"]["date"] == "2024-03-07"


def test_a_bad_document_is_reported_and_the_batch_goes_on(
    tmp_path: Path, small_rules: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text(MEETING_TEXT, encoding="utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" * 10)
    errors = tmp_path / "errors.jsonl"
    code, out, err = run("--rules", str(small_rules), str(folder), "--errors", str(errors))
    assert code == 1
    assert [r["doc"] for r in records(out)] == ["good.txt"]
    assert "image.txt" in err and "binary" in err
    assert "2 documents read, 1 processed, 1 failed" in err
    (logged,) = records(errors.read_text(encoding="utf-8"))
    assert logged["doc"] == "image.txt" and logged["kind"] == "unreadable"


def test_a_windows_1252_document_is_decoded_and_said_so(tmp_path: Path, small_rules: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    text = "Alice Arden met Bob Brandt in Paris on Thursday \u2013 caf\xe9 talks."
    (folder / "cp1252.txt").write_bytes(text.encode("cp1252"))
    errors = tmp_path / "errors.jsonl"
    code, out, err = run("--rules", str(small_rules), str(folder), "--errors", str(errors))
    assert code == 0
    (record,) = records(out)
    assert record["doc"] == "cp1252.txt" and record["args"]["city"] == "Paris"
    assert "warning: cp1252.txt" in err and "Windows-1252" in err
    (logged,) = records(errors.read_text(encoding="utf-8"))
    assert logged["kind"] == "repaired" and "Windows-1252" in logged["reason"]


def test_broken_json_line_is_reported_with_its_line(tmp_path: Path, small_rules: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    good = json.dumps({"id": "ok", "text": MEETING_TEXT})
    feed.write_text(good + "\n{not json\n" + json.dumps({"id": "notext"}) + "\n", encoding="utf-8")
    code, out, err = run("--rules", str(small_rules), str(feed))
    assert code == 1
    assert [r["doc"] for r in records(out)] == ["ok"]
    assert "feed.jsonl:2" in err and "notext" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--rules", "RULES", "no/such/input"], "no such input"),
        (["--rules", "RULES", "SEEDS", "--published", "27/10/2023"], "YYYY-MM-DD"),
        (["SEEDS"], "--rules"),
    ],
    ids=["missing-input", "bad-published", "no-rules"],
)
def test_usage_errors_exit_2_without_records(argv: list[str], message: str) -> None:
    argv = [a.replace("RULES", str(RULES)).replace("SEEDS", str(SEEDS)) for a in argv]
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_extract_is_installed_as_a_command() -> None:
    command = shutil.which("extract")
    assert command is not None, "the package's console script `extract` is not installed"
    done = subprocess.run(
        [command, "--rules", str(RULES), str(SEEDS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout == run("--rules", str(RULES), str(SEEDS))[1]
