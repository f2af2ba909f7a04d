"""A long batch must not die on one document, lose records, or leave half a file behind.

The kill test runs the real command in a subprocess, kills it (SIGKILL) in the middle of
a batch, resumes it with --resume, and compares the result with an uninterrupted run.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import RULES, SEEDS

from engine import load_rules
from engine.cli import main

PUBLISHED = {
    "000": "2023-10-27",
    "001": "2023-10-27",
    "002": "2023-10-27",
    "003": "2023-10-26",
    "004": "2023-10-27",
}


def paragraphs_feed(path: Path, copies: int) -> Path:
    """A JSON-lines feed of short documents: every paragraph of every seed, `copies` times."""
    lines = []
    for seed in sorted(SEEDS.glob("*.txt")):
        published = PUBLISHED[seed.name[:3]]
        blocks = [b for b in seed.read_text(encoding="utf-8").split("\n\n") if b.strip()]
        for copy in range(copies):
            for index, block in enumerate(blocks):
                doc = {"id": f"{seed.stem}-{copy}-{index}", "text": block, "published": published}
                lines.append(json.dumps(doc, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "engine.cli", "--rules", str(RULES), "--jobs", "1", *argv]


def wait_for_checkpoint(running: subprocess.Popen[bytes], progress: Path, documents: int) -> None:
    """Until the running batch's checkpoint counts more than `documents` (it must still run)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and running.poll() is None:
        if progress.exists() and json.loads(progress.read_text() or "{}").get("documents", 0) > (
            documents
        ):
            break
        time.sleep(0.02)
    assert running.poll() is None, "the batch ended before it could be killed"


def test_a_killed_batch_resumes_to_the_same_records(tmp_path: Path) -> None:
    # long enough to be killed after a few checkpoints (they are written once a second)
    feed = paragraphs_feed(tmp_path / "feed.jsonl", copies=60)
    reference = tmp_path / "reference.jsonl"
    subprocess.run(command(str(feed), "-o", str(reference)), check=True, capture_output=True)
    target = tmp_path / "out.jsonl"
    progress = tmp_path / "out.jsonl.progress"
    running = subprocess.Popen(command(str(feed), "-o", str(target)), stderr=subprocess.DEVNULL)
    wait_for_checkpoint(running, progress, 40)
    os.kill(running.pid, signal.SIGKILL)
    running.wait()
    assert not target.exists(), "a killed run must not leave the output file"
    done = json.loads(progress.read_text())["documents"]
    assert done > 40
    resumed = subprocess.run(
        command(str(feed), "-o", str(target), "--resume"), capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed after {done} documents" in resumed.stderr
    assert target.read_bytes() == reference.read_bytes()
    assert not progress.exists() and not (tmp_path / "out.jsonl.partial").exists()


def test_resume_refuses_a_checkpoint_of_another_batch(tmp_path: Path) -> None:
    feed = paragraphs_feed(tmp_path / "feed.jsonl", copies=1)
    target = tmp_path / "out.jsonl"
    (tmp_path / "out.jsonl.partial").write_text("", encoding="utf-8")
    (tmp_path / "out.jsonl.progress").write_text(
        json.dumps({"documents": 3, "bytes": 0, "batch": "another batch"}), encoding="utf-8"
    )
    err = io.StringIO()
    code = main(
        ["--rules", str(RULES), str(feed), "-o", str(target), "--resume"],
        stdout=io.StringIO(),
        stderr=err,
    )
    assert code == 2 and "another batch" in err.getvalue()
    assert not target.exists()


def test_resume_needs_an_output_file() -> None:
    err = io.StringIO()
    code = main(["--rules", str(RULES), str(SEEDS), "--resume"], stdout=io.StringIO(), stderr=err)
    assert code == 2 and "-o FILE" in err.getvalue()


CATASTROPHIC = r"""
relation SAID(actor)
entity actor: words "Alice"
entity shout: regex /(x+x+)+y/
rule said -> SAID: within sentence: a:actor "said" shout
"""


def test_a_pathological_regex_gives_one_document_up_not_the_batch(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "said.rules").write_text(CATASTROPHIC, encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Alice said " + "x" * 5000 + ".", encoding="utf-8")
    (docs / "b.txt").write_text("Alice said xxy.", encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    code = main(
        ["--rules", str(rules), str(docs), "--timeout", "1", "--errors", str(errors)],
        stdout=out,
        stderr=err,
    )
    assert time.monotonic() - started < 30
    assert code == 1
    assert [json.loads(line)["doc"] for line in out.getvalue().splitlines()] == ["b.txt"]
    assert "a.txt" in err.getvalue() and "ran out of time" in err.getvalue()
    (logged,) = [json.loads(line) for line in errors.read_text().splitlines()]
    assert logged["doc"] == "a.txt" and logged["kind"] == "failed"


@pytest.mark.parametrize(
    "source, code",
    [
        ("entity shout: regex /(x+x+)+y/", "W002"),
        ("entity shout: regex /(\\w+\\s?)+$/", "W002"),
        ('entity shout: words "x"\nrule r -> SAID: within sentence: a:actor ("x" Token*)+', "W001"),
    ],
)
def test_the_checker_warns_about_nested_repetition(tmp_path: Path, source: str, code: str) -> None:
    text = 'relation SAID(actor)\nentity actor: words "Alice"\n' + source + "\n"
    if "rule " not in source:
        text += "rule said -> SAID: within sentence: a:actor shout\n"
    (tmp_path / "r.rules").write_text(text, encoding="utf-8")
    warnings = load_rules([tmp_path]).warnings
    assert [w.code for w in warnings] == [code]
    assert warnings[0].severity == "warning"


def test_the_shipped_rules_load_without_warnings() -> None:
    assert load_rules([RULES]).warnings == ()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_worker_stops_the_batch_without_a_traceback_and_it_resumes(
    tmp_path: Path,
) -> None:
    """A worker killed (as the kernel kills a process out of memory) stops the batch with
    exit 3 and a sentence, not a traceback nor a hang; the other worker ends too; what
    was written stays, and --resume goes on to the records of a run never stopped."""
    feed = paragraphs_feed(tmp_path / "feed.jsonl", copies=150)

    def run(name: str, *more: str) -> list[str]:
        argv = command(str(feed), "-o", str(tmp_path / f"{name}.jsonl"), *more)
        return [*argv[: argv.index("--jobs") + 1], "2", *argv[argv.index("--jobs") + 2 :]]

    subprocess.run(run("reference"), check=True, capture_output=True)
    running = subprocess.Popen(run("out"), stderr=subprocess.PIPE, text=True)
    wait_for_checkpoint(running, tmp_path / "out.jsonl.progress", 80)
    workers = _children(running.pid)
    assert len(workers) == 2, workers
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = running.communicate(timeout=60)
    assert running.returncode == 3, stderr
    assert f"a worker process ({workers[0]}) ended before its work was done" in stderr
    assert "killed by SIGKILL" in stderr and "--resume" in stderr
    assert "Traceback" not in stderr
    assert not any(_alive(w) for w in workers), "a worker outlived the batch"
    assert not (tmp_path / "out.jsonl").exists()
    resumed = subprocess.run(run("out", "--resume"), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed after" in resumed.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "reference.jsonl").read_bytes()


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc: Linux)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_parallel_batch_with_failures_resumes_to_the_same_files_and_summary(
    tmp_path: Path,
) -> None:
    """Killed with SIGKILL, its workers end too; resumed, the records, the --errors file,
    the summary and the exit status are those of a run never stopped."""
    # long enough, with two workers, to be killed after its first checkpoint (a second
    # in) whatever the speed of the engine: some 3 seconds here
    feed = paragraphs_feed(tmp_path / "good.jsonl", copies=150)
    lines = feed.read_text(encoding="utf-8").splitlines()
    for place in range(3, len(lines), 40):  # a failing document every 40
        lines[place] = json.dumps({"id": f"bad-{place}", "text": 5})
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    failing = sum(1 for line in lines if line.startswith('{"id": "bad-'))

    def run(name: str, *more: str) -> list[str]:
        out, log = tmp_path / f"{name}.jsonl", tmp_path / f"{name}.errors"
        argv = command(str(feed), "-o", str(out), "--errors", str(log), *more)
        return [*argv[: argv.index("--jobs") + 1], "2", *argv[argv.index("--jobs") + 2 :]]

    reference = subprocess.run(run("reference"), capture_output=True, text=True)
    assert reference.returncode == 1
    summary = reference.stderr.strip().splitlines()[-1]
    assert f"{len(lines)} documents read, {len(lines) - failing} processed, {failing} failed" in (
        summary
    )
    progress = tmp_path / "out.jsonl.progress"
    running = subprocess.Popen(run("out"), stderr=subprocess.DEVNULL)
    wait_for_checkpoint(running, progress, 80)
    workers = _children(running.pid)
    assert workers, "no worker processes"
    os.kill(running.pid, signal.SIGKILL)
    running.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "workers outlived the killed batch"
    resumed = subprocess.run(run("out", "--resume"), capture_output=True, text=True)
    assert resumed.returncode == 1, resumed.stderr
    assert "resumed after" in resumed.stderr
    # the same numbers as the run never stopped (the note on resuming and the time aside)
    again = resumed.stderr.strip().splitlines()[-1]
    assert re.search(r" \(resumed after \d+ documents done before\)", again)
    plain = re.sub(r" \(resumed after \d+ documents done before\)", "", again)
    assert plain.rsplit("; ", 1)[0] == summary.rsplit("; ", 1)[0]
    for suffix in ("jsonl", "errors"):
        assert (tmp_path / f"out.{suffix}").read_bytes() == (
            tmp_path / f"reference.{suffix}"
        ).read_bytes(), suffix
