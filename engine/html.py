"""The HTML report of `extract --report FILE`: one self-contained page (inline CSS and
JavaScript, nothing fetched from anywhere) that shows each article's text with its entity
mentions highlighted, the records found in it, and, when expectations were compared, the
regression view (missing, unexpected, forbidden and invalid records).

Everything that comes from the data (texts, names, values, reasons) is escaped with
`html.escape`; the script embeds no data at all: it reads integer offsets from `data-*`
attributes. A Content-Security-Policy in the page allows only its own script and style
(by hash) and no network request of any kind. The same input gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .compare import ArticleResult, Expectation, Score
from .records import MentionMark, mark_order

Record = dict[str, Any]
Span = tuple[int, int]

EXCERPT = 80  # characters of a slot's source text shown beside its span


@dataclass(frozen=True)
class Article:
    """One document of the report: its text, mentions, records, comparison and failure."""

    doc: str
    text: str
    mentions: tuple[MentionMark, ...]
    records: tuple[Record, ...]
    result: ArticleResult | None
    failed: str | None = None


# ------------------------------------------------------------------ the page


def render(
    articles: Sequence[Article], scores: dict[str, Score] | None, title: str = "extract report"
) -> str:
    """The whole report: one HTML page, the same bytes for the same input."""
    types = sorted({mark.type for article in articles for mark in article.mentions})
    colours = {name: index for index, name in enumerate(types)}
    body = [
        f"<header><h1>{_e(title)}</h1></header>",
        _summary(articles, scores, types),
        *(_article(index, article, colours) for index, article in enumerate(articles)),
    ]
    style = _STYLE + _type_style(len(types))
    policy = (
        "default-src 'none'; "
        f"style-src '{_sha256(style)}'; "
        f"script-src '{_sha256(_SCRIPT)}'; "
        "img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_e(policy)}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>{style}</style>",
            "</head>",
            "<body>",
            *body,
            f"<script>{_SCRIPT}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _sha256(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _e(value: object) -> str:
    """Escaped for text and for quoted attribute values. CR and NUL are written as
    character references: the HTML parser would turn CR LF into LF and drop NUL, and the
    text shown must keep one character per character of the document."""
    text = value if isinstance(value, str) else str(value)
    return html.escape(text, quote=True).replace("\r", "&#13;").replace("\0", "&#xFFFD;")


def _show(value: Any) -> str:
    """A value as an analyst reads it: strings as they are, null, other JSON as JSON."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


# ------------------------------------------------------------------ summary


def _summary(articles: Sequence[Article], scores: dict[str, Score] | None, types: list[str]) -> str:
    failed = [(index, a) for index, a in enumerate(articles) if a.failed is not None]
    relations = Counter(_show(r.get("relation")) for a in articles for r in a.records)
    results = [a.result for a in articles if a.result is not None]
    parts = ['<section class="summary" id="summary">', "<h2>Summary</h2>"]
    parts.append(
        f'<p class="counts"><span class="count-documents">{len(articles)}</span> documents, '
        f"{len(articles) - len(failed)} processed, "
        f'<span class="count-failed">{len(failed)}</span> failed; '
        f"{sum(relations.values())} records</p>"
    )
    parts.append('<table class="relations"><thead><tr><th>relation</th><th>records</th></tr>')
    parts.append("</thead><tbody>")
    for relation, count in sorted(relations.items()):
        parts.append(f'<tr><td class="relation">{_e(relation)}</td><td>{count}</td></tr>')
    if not relations:
        parts.append('<tr><td colspan="2">no records</td></tr>')
    parts.append("</tbody></table>")
    if scores is not None:
        parts.append(_score_table(scores))
    if scores is not None or results:
        parts.append(_regression_counts(results))
    if failed:
        parts.append('<h3>Failed documents</h3><ul class="failed-list">')
        for index, article in failed:
            parts.append(
                f'<li class="failed-doc"><a href="#a{index}">{_e(article.doc)}</a>: '
                f'<span class="reason">{_e(article.failed)}</span></li>'
            )
        parts.append("</ul>")
    parts.append(_legend(types, {name: i for i, name in enumerate(types)}, None))
    parts.append(_contents(articles))
    parts.append("</section>")
    return "\n".join(parts)


def _score_table(scores: dict[str, Score]) -> str:
    rows = [
        '<table class="scores"><thead><tr><th>relation</th><th>precision</th><th>recall</th>'
        "<th>F1</th><th>records matched</th><th>records unexpected</th>"
        "<th>expectations met</th><th>expectations missed</th></tr></thead><tbody>"
    ]
    for relation, score in sorted(scores.items()):
        rows.append(
            f'<tr><td class="relation">{_e(relation)}</td>'
            f'<td class="precision">{score.precision:.2f}</td>'
            f'<td class="recall">{score.recall:.2f}</td><td class="f1">{score.f1:.2f}</td>'
            f"<td>{score.matched}</td><td>{score.unexpected}</td>"
            f"<td>{score.met}</td><td>{score.missed}</td></tr>"
        )
    if not scores:
        rows.append('<tr><td colspan="8">no relation compared</td></tr>')
    rows.append("</tbody></table>")
    return "".join(rows)


def _regression_counts(results: list[ArticleResult]) -> str:
    counts = {
        "missing": sum(len(r.missing) for r in results),
        "unexpected": sum(len(r.unexpected) for r in results),
        "forbidden": sum(len(r.forbidden) for r in results),
        "invalid": sum(len(r.invalid) for r in results),
    }
    regressed = sum(1 for r in results if r.regressed)
    items = "".join(
        f'<li class="reg-{kind}"><span class="count-{kind}">{count}</span> {kind}</li>'
        for kind, count in counts.items()
    )
    return (
        f'<p class="regressed"><span class="count-regressed">{regressed}</span> of '
        f"{len(results)} compared articles regressed</p>"
        f'<ul class="regression-counts">{items}</ul>'
    )


def _contents(articles: Sequence[Article]) -> str:
    rows = [
        '<table class="contents"><thead><tr><th>document</th><th>records</th>'
        "<th>mentions</th><th>status</th></tr></thead><tbody>"
    ]
    for index, article in enumerate(articles):
        status, label = _status(article)
        rows.append(
            f'<tr><td><a href="#a{index}">{_e(article.doc)}</a></td>'
            f"<td>{len(article.records)}</td><td>{len(article.mentions)}</td>"
            f'<td><span class="status {status}">{label}</span></td></tr>'
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _status(article: Article) -> tuple[str, str]:
    if article.failed is not None:
        return "status-failed", "failed"
    if article.result is None:
        return "status-none", "not compared"
    if article.result.regressed:
        return "status-regressed", "regression"
    return "status-ok", "ok"


def _legend(types: Sequence[str], colours: dict[str, int], counts: Counter[str] | None) -> str:
    if not types:
        return '<p class="legend">no mentions</p>'
    items = []
    for name in types:
        count = f' <span class="n">{counts[name]}</span>' if counts is not None else ""
        items.append(
            f'<li><span class="swatch t{colours[name]}" data-type="{_e(name)}">'
            f"{_e(name)}</span>{count}</li>"
        )
    return f'<ul class="legend">{"".join(items)}</ul>'


# ------------------------------------------------------------------ one article


def _article(index: int, article: Article, colours: dict[str, int]) -> str:
    anchor = f"a{index}"
    text_id = f"{anchor}-text"
    status, label = _status(article)
    size = len(article.text)
    shown = {m for m in article.mentions if _valid_span(m.start, m.end, size) and m.end > m.start}
    marks = sorted(shown, key=mark_order)  # the same mark given twice is shown once
    records = list(article.records)
    for record, _ in article.result.invalid if article.result is not None else ():
        if record not in records:  # invalid records are not written: listed here too
            records.append(record)
    cuts: set[int] = set()
    for record in records:
        for span in _record_spans(record, size):
            cuts.update(span)
    parts = [
        f'<section class="article {status.replace("status-", "article-")}" id="{anchor}" '
        f'data-doc="{_e(article.doc)}">',
        f'<h2><span class="doc">{_e(article.doc)}</span> '
        f'<span class="status {status}">{label}</span></h2>',
    ]
    if article.failed is not None:
        parts.append(
            f'<p class="failed">failed: <span class="reason">{_e(article.failed)}</span></p>'
        )
    skipped = len({m for m in article.mentions if m not in shown})
    if skipped:
        parts.append(f'<p class="note">{skipped} mentions outside the text are not shown</p>')
    present = Counter(m.type for m in marks)
    parts.append(_legend(sorted(present), colours, present))
    if article.result is not None:
        parts.append(_regression(anchor, text_id, article.result, size))
    parts.append('<div class="columns">')
    parts.append(
        f'<div class="text" id="{text_id}">{_marked_text(article.text, marks, cuts, colours)}</div>'
    )
    parts.append(_records(anchor, text_id, records, article.result, article.text))
    parts.append("</div>")
    parts.append("</section>")
    return "\n".join(parts)


def _marked_text(
    text: str, marks: Sequence[MentionMark], cuts: set[int], colours: dict[str, int]
) -> str:
    """The text as leaf segments `<span class="seg" data-s data-e>` cut at every mention
    and record boundary, inside properly nested `<mark>` elements: at each segment the
    marks covering it are opened outermost first, and only the marks that change are
    closed and reopened, so a mark crossing another is split in pieces (same `data-m`).
    `marks` come in mark_order."""
    starting: dict[int, list[int]] = {}
    ending: dict[int, list[int]] = {}
    for number, mark in enumerate(marks):
        starting.setdefault(mark.start, []).append(number)
        ending.setdefault(mark.end, []).append(number)
    bounds = sorted({0, len(text), *cuts, *starting, *ending})
    active: set[int] = set()
    stack: list[int] = []
    out: list[str] = []
    for left, right in zip(bounds, bounds[1:], strict=False):
        active.difference_update(ending.get(left, ()))
        active.update(starting.get(left, ()))
        wanted = sorted(active)  # numbers follow mark_order: outermost first
        keep = 0
        while keep < len(stack) and keep < len(wanted) and stack[keep] == wanted[keep]:
            keep += 1
        out.append("</mark>" * (len(stack) - keep))
        for number in wanted[keep:]:
            mark = marks[number]
            shown = "—" if mark.value is None else mark.value
            tip = (
                f"{mark.type}: {shown} ({mark.source})" if mark.source else f"{mark.type}: {shown}"
            )
            out.append(
                f'<mark class="m t{colours[mark.type]}" data-m="{number}" '
                f'data-type="{_e(mark.type)}" title="{_e(tip)}">'
            )
        stack = wanted
        out.append(
            f'<span class="seg" data-s="{left}" data-e="{right}">{_e(text[left:right])}</span>'
        )
    out.append("</mark>" * len(stack))
    return "".join(out)


def _valid_span(start: Any, end: Any, size: int) -> bool:
    return (
        isinstance(start, int)
        and isinstance(end, int)
        and not isinstance(start, bool)
        and not isinstance(end, bool)
        and 0 <= start <= end <= size
    )


def _span(value: Any, size: int) -> Span | None:
    """A [start, end] pair of offsets inside the text, or None (null, malformed, outside)."""
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and _valid_span(value[0], value[1], size)
    ):
        return int(value[0]), int(value[1])
    return None


def _slot_spans(record: Record, size: int) -> list[tuple[str, Span | None]]:
    spans = record.get("spans")
    if not isinstance(spans, dict):
        return []
    return [(str(name), _span(value, size)) for name, value in spans.items()]


def _record_places(record: Record, size: int) -> tuple[Span | None, list[Span]]:
    """Where a record stands in its text: its evidence, and its slots' (valid) spans."""
    slots = [span for _, span in _slot_spans(record, size) if span is not None]
    return _span(record.get("evidence_span"), size), slots


def _record_spans(record: Record, size: int) -> list[Span]:
    evidence, slots = _record_places(record, size)
    return slots + ([evidence] if evidence is not None else [])


def _record_attributes(record: Record, text_id: str, size: int) -> str:
    """The attributes that make an element a clickable record: where its spans are."""
    evidence, slots = _record_places(record, size)
    shown_evidence = f"{evidence[0]},{evidence[1]}" if evidence is not None else ""
    shown_slots = " ".join(f"{s},{e}" for s, e in slots)
    return (
        f'data-text="{text_id}" data-evidence="{shown_evidence}" data-slots="{shown_slots}" '
        'tabindex="0" role="button"'
    )


def _record_line(record: Record) -> str:
    args = record.get("args")
    shown = ", ".join(
        f"{_e(k)}={_e(_show(v))}" for k, v in (args.items() if isinstance(args, dict) else ())
    )
    return (
        f'<span class="rel">{_e(_show(record.get("relation")))}</span>({shown}) '
        f'by <span class="rule">{_e(_show(record.get("rule")))}</span>'
    )


def _records(
    anchor: str, text_id: str, records: list[Record], result: ArticleResult | None, text: str
) -> str:
    size = len(text)
    parts = [f'<div class="records"><h3>Records ({len(records)})</h3>']
    if not records:
        parts.append('<p class="note">no records</p>')
    else:
        parts.append('<ol class="record-list">')
    unexpected = result.unexpected if result is not None else []
    forbidden = [record for _, record in result.forbidden] if result is not None else []
    invalid = [record for record, _ in result.invalid] if result is not None else []
    for number, record in enumerate(records):
        badges = []
        if record in invalid:
            badges.append("invalid")
        if record in forbidden:
            badges.append("forbidden")
        if record in unexpected:
            badges.append("unexpected")
        if result is not None and not badges:
            badges.append("matched")
        shown = "".join(f' <span class="badge badge-{b}">{b}</span>' for b in badges)
        classes = " ".join(["record", "record-item", *(f"is-{b}" for b in badges)])
        parts.append(
            f'<li class="{classes}" id="{anchor}-r{number}" '
            f"{_record_attributes(record, text_id, size)}>"
        )
        parts.append(f'<div class="head">{_record_line(record)}{shown}</div>')
        parts.append(_record_details(record, text))
        parts.append("</li>")
    if records:
        parts.append("</ol>")
    parts.append("</div>")
    return "\n".join(parts)


def _mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _record_details(record: Record, text: str) -> str:
    """Rules, args with their spans (and the words there when they are not the value),
    attributes, evidence with its span."""
    size = len(text)
    rules = record.get("rules")
    rows = []
    if isinstance(rules, list) and rules:
        rows.append(f'<p class="rules">rules: {_e(", ".join(_show(r) for r in rules))}</p>')
    args, spans = _mapping(record.get("args")), _mapping(record.get("spans"))
    attributes = _mapping(record.get("attributes"))
    rows.append(
        '<table class="args"><thead><tr><th>slot</th><th>value</th><th>span</th>'
        "<th>attributes</th></tr></thead><tbody>"
    )
    for name in list(args) + [n for n in spans if n not in args]:
        value = args.get(name)
        raw = spans.get(name)
        span = _span(raw, size)
        if raw is None:
            where = "null"
        elif span is None:
            where = f"{_show(raw)} (outside the text)"
        else:
            where = f"[{span[0]}, {span[1]}]"
        extra = attributes.get(name)
        shown_extra = (
            "; ".join(f"{k}={_show(v)}" for k, v in extra.items())
            if isinstance(extra, dict)
            else ("" if extra is None else _show(extra))
        )
        null = ' class="null"' if value is None else ""
        words = _excerpt(text[span[0] : span[1]]) if span is not None else ""
        source = f'<span class="source">{_e(words)}</span>' if words and words != value else ""
        rows.append(
            f'<tr><td class="slot">{_e(name)}</td><td{null}>{_e(_show(value))}{source}</td>'
            f'<td class="span">{_e(where)}</td><td class="attributes">{_e(shown_extra)}</td></tr>'
        )
    rows.append("</tbody></table>")
    evidence = _span(record.get("evidence_span"), size)
    where = f"[{evidence[0]}, {evidence[1]}]" if evidence is not None else "no span in the text"
    rows.append(
        f'<p class="evidence"><q>{_e(_show(record.get("evidence", "")))}</q> '
        f'<span class="span">{_e(where)}</span></p>'
    )
    return "".join(rows)


def _excerpt(words: str) -> str:
    words = " ".join(words.split())
    return words if len(words) <= EXCERPT else words[: EXCERPT - 1] + "…"


def _expectation(expectation: Expectation) -> str:
    why = f' <span class="why">({_e(expectation.why)})</span>' if expectation.why else ""
    return (
        f'<span class="expectation">{_e(expectation.describe())}</span> '
        f'<span class="where">[{_e(expectation.file)}:{expectation.line}]</span>{why}'
    )


def _regression(anchor: str, text_id: str, result: ArticleResult, size: int) -> str:
    """What changed in one article: each entry with what an analyst needs to act on it;
    the entries about a record are clickable like the records themselves."""
    verdict = "regression" if result.regressed else "ok"
    parts = [
        f'<div class="regression {"regressed" if result.regressed else "clean"}">',
        f"<h3>Regression view: {verdict}</h3>",
    ]
    if result.found:
        parts.append(
            '<table class="found"><thead><tr><th>relation</th><th>records matched</th>'
            "<th>records unexpected</th><th>expectations met</th><th>expectations missed</th>"
            "</tr></thead><tbody>"
        )
        for relation, counts in sorted(result.found.items()):
            cells = "".join(f"<td>{_e(count)}</td>" for count in counts)
            parts.append(f'<tr><td class="relation">{_e(relation)}</td>{cells}</tr>')
        parts.append("</tbody></table>")
    parts.append('<ul class="regression-list">')
    for expectation in result.missing:
        parts.append(
            '<li class="reg reg-missing"><span class="kind">missing</span> '
            f"{_expectation(expectation)}</li>"
        )
    entries: list[tuple[str, str, Record, str]] = []
    entries += [("unexpected", "unexpected", r, "") for r in result.unexpected]
    entries += [
        ("forbidden", "must not", r, f'<p class="by">forbidden by {_expectation(e)}</p>')
        for e, r in result.forbidden
    ]
    for record, problems in result.invalid:
        listed = "".join(
            f'<li><span class="path">{_e(path)}</span>: {_e(message)}</li>'
            for path, message in problems
        )
        entries.append(("invalid", "invalid", record, f'<ul class="problems">{listed}</ul>'))
    for number, (kind, label, record, more) in enumerate(entries):
        evidence = _show(record.get("evidence", ""))
        parts.append(
            f'<li class="reg reg-{kind} record" id="{anchor}-g{number}" '
            f"{_record_attributes(record, text_id, size)}>"
            f'<span class="kind">{label}</span> {_record_line(record)} '
            f'<q class="evidence">{_e(evidence)}</q>{more}</li>'
        )
    if not result.regressed:
        parts.append(
            '<li class="reg reg-none">nothing missing, unexpected, forbidden or invalid</li>'
        )
    parts.append("</ul></div>")
    return "\n".join(parts)


# ------------------------------------------------------------------ style and script


def _type_style(count: int) -> str:
    """A colour per entity type (index in name order), spread around the hue circle."""
    rules = []
    for index in range(count):
        hue = (index * 137) % 360
        rules.append(f".t{index}{{--bg:hsl({hue},80%,86%);--bd:hsl({hue},60%,36%)}}")
    return "\n".join(rules) + "\n"


_STYLE = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--paper:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1400px;padding:0 1.2rem 3rem;color:var(--fg);background:var(--paper);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
h1{font-size:1.6rem;margin:1rem 0 .5rem}
h2{font-size:1.25rem;margin:.2rem 0 .6rem;word-break:break-all}
h3{font-size:1.05rem;margin:.8rem 0 .4rem}
table{border-collapse:collapse;margin:.4rem 0 .8rem}
th,td{border:1px solid var(--line);padding:.15rem .5rem;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}
td.precision,td.recall,td.f1{text-align:right;font-variant-numeric:tabular-nums}
a{color:#0550ae}
.summary,.article{border:1px solid var(--line);border-radius:8px;padding:.8rem 1rem;margin:1rem 0}
.legend{list-style:none;padding:0;margin:.3rem 0;display:flex;flex-wrap:wrap;gap:.4rem .9rem}
.swatch{background:var(--bg);border-bottom:2px solid var(--bd);padding:0 .35rem;border-radius:3px}
.legend .n{color:var(--muted);font-size:.85em}
.status{font-size:.8rem;padding:.05rem .45rem;border-radius:999px;border:1px solid;
vertical-align:middle;font-weight:600}
.status-ok{color:#1a7f37}.status-regressed{color:#b91c1c}
.status-failed{color:#6e7781;background:#eaeef2}.status-none{color:var(--muted)}
.failed,.failed-doc{color:#6e7781}
.failed .reason,.failed-doc .reason{font-family:ui-monospace,monospace}
.note{color:var(--muted);font-style:italic}
.columns{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1rem;align-items:start}
@media (max-width:900px){.columns{grid-template-columns:minmax(0,1fr)}}
.text{white-space:pre-wrap;overflow-wrap:anywhere;font:15px/1.9 Georgia,"Times New Roman",serif;
max-height:80vh;overflow:auto;padding:.6rem .8rem;background:var(--soft);border-radius:6px}
mark.m{background:var(--bg);color:inherit;border-bottom:2px solid var(--bd);padding:1px 0 4px}
mark.m mark.m{padding:0 0 2px}
mark.m mark.m mark.m{padding:0}
.seg.evidence-on{background-color:rgba(255,208,0,.55)}
.seg.slot-on{background-color:rgba(255,112,0,.55);outline:2px solid #c2410c;outline-offset:-1px}
.records{max-height:80vh;overflow:auto}
.record-list{margin:0;padding-left:1.6rem}
.record{cursor:pointer;border:1px solid var(--line);border-left:4px solid #8c959f;border-radius:6px;
padding:.35rem .6rem;margin:.35rem 0;background:var(--paper)}
.record:hover{background:var(--soft)}
.record:focus{outline:2px solid #0969da;outline-offset:1px}
.record.selected{border-color:#bf8700;box-shadow:0 0 0 2px rgba(212,167,44,.6);background:#fff8c5}
.record .head{font-weight:500}
.record .rel{font-weight:700}
.record .rule{font-family:ui-monospace,monospace}
.record table.args{font-size:.85rem;margin:.3rem 0}
.record .rules,.record .evidence{font-size:.88rem;margin:.2rem 0}
.record .span{color:var(--muted);font-family:ui-monospace,monospace;font-size:.85em}
td.null{color:var(--muted);font-style:italic}
.record .source{display:block;color:var(--muted);font-size:.9em}
.record .source::before{content:"“"}.record .source::after{content:"”"}
.badge{font-size:.75rem;padding:0 .4rem;border-radius:999px;color:#fff;font-weight:600}
.badge-matched{background:#1a7f37}.badge-unexpected{background:#c2410c}
.badge-forbidden{background:#b91c1c}.badge-invalid{background:#4b5563}
.is-matched{border-left-color:#1a7f37}.is-unexpected{border-left-color:#c2410c}
.is-forbidden{border-left-color:#b91c1c}.is-invalid{border-left-color:#4b5563;border-style:dashed}
.regression{border-radius:6px;padding:.3rem .8rem;margin:.5rem 0;background:var(--soft)}
.regression.regressed{border-left:4px solid #b91c1c}.regression.clean{border-left:4px solid #1a7f37}
.regression-list{list-style:none;padding:0;margin:.3rem 0}
.reg{border-left:4px solid;border-radius:4px;padding:.3rem .6rem;margin:.3rem 0}
.reg .kind{font-weight:700;text-transform:uppercase;font-size:.78rem;letter-spacing:.03em}
.reg-missing{border-color:#6d28d9;background:#f3e8ff}.reg-missing .kind{color:#6d28d9}
.reg-unexpected{border-color:#c2410c;background:#ffedd5}.reg-unexpected .kind{color:#c2410c}
.reg-forbidden{border-color:#b91c1c;background:#fee2e2}.reg-forbidden .kind{color:#b91c1c}
.reg-invalid{border-color:#4b5563;background:#e5e7eb;border-style:dashed}
.reg-invalid .kind{color:#374151}
.reg-none{border-color:#1a7f37;background:#dafbe1}
.regression-counts{list-style:none;padding:0;display:flex;gap:1rem;flex-wrap:wrap}
.regression-counts li{border-left:4px solid;padding:0 .5rem;border-radius:3px}
.reg .where,.reg .why{color:var(--muted);font-size:.88em}
.reg q.evidence{display:block;font-size:.88rem;color:#424a53}
.reg .by,.reg .problems{margin:.2rem 0;font-size:.88rem}
"""

_SCRIPT = """
(function () {
  "use strict";
  function spans(value) {
    var found = [];
    (value || "").split(" ").forEach(function (pair) {
      var ends = pair.split(",");
      if (ends.length === 2) {
        found.push([parseInt(ends[0], 10), parseInt(ends[1], 10)]);
      }
    });
    return found;
  }
  function inside(seg, list) {
    var start = parseInt(seg.getAttribute("data-s"), 10);
    var end = parseInt(seg.getAttribute("data-e"), 10);
    return list.some(function (span) { return span[0] <= start && end <= span[1]; });
  }
  function clear() {
    document.querySelectorAll(".evidence-on, .slot-on, .record.selected").forEach(
      function (element) { element.classList.remove("evidence-on", "slot-on", "selected"); }
    );
  }
  function select(record) {
    var was = record.classList.contains("selected");
    clear();
    if (was) { return; }
    record.classList.add("selected");
    var text = document.getElementById(record.getAttribute("data-text"));
    if (!text) { return; }
    var evidence = spans(record.getAttribute("data-evidence"));
    var slots = spans(record.getAttribute("data-slots"));
    var first = null;
    var firstSlot = null;
    text.querySelectorAll(".seg").forEach(function (seg) {
      if (inside(seg, evidence)) {
        seg.classList.add("evidence-on");
        if (first === null) { first = seg; }
      }
      if (inside(seg, slots)) {
        seg.classList.add("slot-on");
        if (firstSlot === null) { firstSlot = seg; }
      }
    });
    first = first || firstSlot;
    if (first !== null) { first.scrollIntoView({block: "center", inline: "nearest"}); }
  }
  function recordOf(event) {
    var target = event.target;
    return target && target.closest ? target.closest(".record") : null;
  }
  document.addEventListener("click", function (event) {
    var record = recordOf(event);
    if (record) { select(record); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") { return; }
    var record = recordOf(event);
    if (record) { event.preventDefault(); select(record); }
  });
})();
"""
