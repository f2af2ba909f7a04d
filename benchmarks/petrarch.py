"""PETRARCH2 / Phoenix actor dictionaries -> a gazetteer YAML file our engine reads.

The actor dictionaries are `Phoenix.Countries.actors.txt`, `Phoenix.International.actors.txt`
and `Phoenix.MilNonState.actors.txt` (see the README of the data folder for the format).
A record is a primary phrase, then `+SYNONYM` lines, then TAB-indented `[CODE DATES]` lines:

    KOFI_ANNAN_
    +K._ANNAN_
        [IGOUNO 970101-061231]

Every record becomes one gazetteer entry: `name` is the primary phrase, `aliases` its
synonyms, plus attributes taken from the CAMEO codes:

* `kind`: `person` when a code carries a date restriction (office holders), `country` for
  the record that introduces a 3-letter country code in the Countries file, `place` for
  the other records coded with a bare 3-letter country code (cities, regions, variant
  names), `organisation` for everything else (governments, IGOs, NGOs, militant groups);
* `code`: the record's first CAMEO code; `country`: the canonical name of the country
  whose 3-letter code starts it, when that country is in the dictionaries.

Phrase cleaning: `_` becomes a space, parenthesised parts go (`ARYAN_NATIONS_(AN)_` ->
`Aryan Nations`), quote marks go (`TZIPORA_"TZIPI"_LIVNI_` -> `Tzipora Tzipi Livni`),
`A+_B` is two synonyms, and names are written in title case (matching ignores case).

Run as a script to convert and print counts:
    python benchmarks/petrarch.py [--data DIR] [-o actors.yaml]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ACTOR_FILES = (
    "Phoenix.Countries.actors.txt",
    "Phoenix.International.actors.txt",
    "Phoenix.MilNonState.actors.txt",
)

_PARENS = re.compile(r"\([^)]*\)")
_SPACES = re.compile(r"\s+")
_CODE = re.compile(r"\[([^\]]*)\]")
_DATED = re.compile(r"\d{4,8}")


@dataclass
class Record:
    """One actor record of a dictionary: primary phrase, synonyms and CAMEO code lines."""

    source: str
    primary: str
    synonyms: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # "AFG", "IGOUNO 970101-061231", ...


@dataclass
class Counts:
    """How many phrases the dictionaries hold, at each step of the conversion."""

    records: int = 0
    primary_lines: int = 0
    synonym_lines: int = 0
    phrases_raw: int = 0  # cleaned, non-empty phrases (primary + synonyms)
    unique_in_entry: int = 0  # after removing repeats inside one record
    unique: int = 0  # distinct phrases across all records (case-folded, spaces collapsed)
    entries: int = 0
    per_file: dict[str, tuple[int, int]] = field(default_factory=dict)  # primary, synonyms


def clean_phrase(raw: str) -> str:
    """A dictionary phrase as words: `KOFI_ATTA_ANNAN_` -> `Kofi Atta Annan`."""
    text = raw.split("\t")[0]
    text = text.split("[")[0]
    text = _PARENS.sub(" ", text)
    text = text.replace("_", " ").replace('"', " ")
    text = _SPACES.sub(" ", text).strip(" +")
    if not any(c.isalnum() for c in text):
        return ""
    return text.title() if text.isupper() or text.islower() else text


def fold(phrase: str) -> str:
    """The key under which two phrases are the same: case-folded, spaces collapsed."""
    return _SPACES.sub(" ", phrase.casefold()).strip()


def read_records(path: Path) -> list[Record]:
    """Every record of one actor dictionary, in file order."""
    records: list[Record] = []
    current: Record | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        stripped = line.strip()
        if line[0] in " \t" and stripped.startswith("["):
            if current is not None:
                current.codes.extend(c.strip() for c in _CODE.findall(stripped))
            continue
        if stripped.startswith("+"):
            if current is None:
                continue
            current.synonyms.extend(p for p in stripped[1:].split("+") if p.strip("_ "))
            continue
        current = Record(path.name, stripped)
        records.append(current)
        current.codes.extend(c.strip() for c in _CODE.findall(stripped))
    return records


def read_dictionaries(folder: Path) -> list[Record]:
    missing = [name for name in ACTOR_FILES if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{folder}: missing PETRARCH2 actor dictionaries: {missing}")
    records: list[Record] = []
    for name in ACTOR_FILES:
        records.extend(read_records(folder / name))
    return records


@dataclass(frozen=True)
class Entry:
    """One gazetteer entry: canonical name, aliases, attributes."""

    name: str
    aliases: tuple[str, ...]
    attributes: tuple[tuple[str, str], ...]

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _first_code(codes: Sequence[str]) -> str:
    for code in codes:
        word = code.split()[0] if code.split() else ""
        if word and word.strip("-~") and word.isalnum():
            return word
    return ""


def convert(records: Iterable[Record]) -> tuple[list[Entry], Counts]:
    """Gazetteer entries of the records (records without a usable phrase are left out)."""
    counts = Counts()
    records = list(records)
    countries: dict[str, str] = {}  # 3-letter code -> canonical name
    for record in records:
        if record.source == ACTOR_FILES[0]:
            code = _first_code(record.codes)
            if len(code) == 3 and code.isupper() and code not in countries:
                countries[code] = clean_phrase(record.primary)
    seen_country_codes: set[str] = set()
    entries: list[Entry] = []
    seen: set[str] = set()
    for record in records:
        counts.records += 1
        primary, synonyms = counts.per_file.get(record.source, (0, 0))
        counts.per_file[record.source] = (primary + 1, synonyms + len(record.synonyms))
        counts.primary_lines += 1
        counts.synonym_lines += len(record.synonyms)
        phrases = [p for p in (clean_phrase(x) for x in [record.primary, *record.synonyms]) if p]
        counts.phrases_raw += len(phrases)
        forms: list[str] = []
        keys: set[str] = set()
        for phrase in phrases:
            if fold(phrase) not in keys:
                keys.add(fold(phrase))
                forms.append(phrase)
        counts.unique_in_entry += len(forms)
        seen.update(keys)
        if not forms:
            continue
        code = _first_code(record.codes)
        dated = any(_DATED.search(c) for c in record.codes)
        if dated:
            kind = "person"
        elif len(code) == 3 and record.source == ACTOR_FILES[0]:
            kind = "place" if code in seen_country_codes else "country"
            seen_country_codes.add(code)
        else:
            kind = "organisation"
        attributes = [("kind", kind)]
        if code:
            attributes.append(("code", code))
            if code[:3] in countries:
                attributes.append(("country", countries[code[:3]]))
        entries.append(Entry(forms[0], tuple(forms[1:]), tuple(attributes)))
    counts.entries = len(entries)
    counts.unique = len(seen)
    return entries, counts


def phrase_count(entries: Iterable[Entry]) -> int:
    """Distinct phrases (case-folded) of the entries."""
    return len({fold(form) for entry in entries for form in entry.forms})


def sample(entries: Sequence[Entry], phrases: int, seed: int = 1987) -> list[Entry]:
    """Whole entries, drawn at random (fixed seed), until they hold about `phrases` phrases;
    returned in their original order."""
    import random

    order = list(range(len(entries)))
    random.Random(seed).shuffle(order)
    chosen: list[int] = []
    keys: set[str] = set()
    for index in order:
        if len(keys) >= phrases:
            break
        chosen.append(index)
        keys.update(fold(form) for form in entries[index].forms)
    return [entries[i] for i in sorted(chosen)]


def _scalar(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def write_yaml(entries: Iterable[Entry], path: Path, header: str = "") -> None:
    """Write entries in the gazetteer format of docs/dsl.md (one flow mapping per line)."""
    with path.open("w", encoding="utf-8") as out:
        for line in header.splitlines():
            out.write(f"# {line}\n".replace("#  ", "# ") if line else "#\n")
        for entry in entries:
            parts = [f"name: {_scalar(entry.name)}"]
            if entry.aliases:
                parts.append("aliases: [" + ", ".join(_scalar(a) for a in entry.aliases) + "]")
            parts.extend(f"{key}: {_scalar(value)}" for key, value in entry.attributes)
            out.write("- {" + ", ".join(parts) + "}\n")


HEADER = """Actor gazetteer generated by benchmarks/petrarch.py from the PETRARCH2 / Phoenix
actor dictionaries (openeventdata/petrarch2, MIT license): {files}.
{entries} entries, {phrases} distinct phrases (names and aliases). Do not edit."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--data", default=str(root.parent / "shared" / "data"))
    parser.add_argument("-o", "--output", help="write the gazetteer YAML here")
    args = parser.parse_args(argv)
    entries, counts = convert(read_dictionaries(Path(args.data) / "petrarch2"))
    for name, (primary, synonyms) in counts.per_file.items():
        print(f"{name}: {primary} primary phrases, {synonyms} synonyms")
    print(
        f"records {counts.records}; phrase lines {counts.primary_lines + counts.synonym_lines}; "
        f"cleaned {counts.phrases_raw}; unique per record {counts.unique_in_entry}; "
        f"distinct overall {counts.unique}; entries {counts.entries}"
    )
    if args.output:
        header = HEADER.format(
            files=", ".join(ACTOR_FILES), entries=counts.entries, phrases=counts.unique
        )
        write_yaml(entries, Path(args.output), header)
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
