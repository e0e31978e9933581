"""report.md: the report as Markdown (scenario text escaped, as on the HTML page)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from costsim.plots.style import fmt_value
from costsim.report.sections import FigureFile, Section
from costsim.report.tables import (
    _check_measured,
    _check_note,
    _interval,
    _overview_sentence,
    _verdict,
    _versions_line,
    _years_for,
    param_table,
    summary_table,
)
from costsim.results import Results, checks_text


def _md(text: object) -> str:
    """Scenario text for Markdown: HTML and Markdown markup shown as text, never interpreted.

    Markdown renderers pass raw HTML through, so ``<script>`` or ``<img onerror=...>`` from a
    scenario's description would run in a reader's viewer; entities make them plain text.
    """
    text = html.escape(" ".join(str(text).split()), quote=False)
    return re.sub(r"([\\`*\[\]|])", r"\\\1", text)


def _code(text: object) -> str:
    """Inline code that no backtick in ``text`` can close early."""
    text = " ".join(str(text).split())
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{ticks} {text} {ticks}" if ticks != "`" else f"`{text}`"


def _fence(text: str) -> list[str]:
    """A fenced block longer than any backtick run in ``text``."""
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return [ticks, text, ticks]


def markdown(results: Results, *, years: Sequence[int] | None = None, figures: Sequence[FigureFile] = (),
             constants: dict[str, float] | None = None, heading: int = 2) -> str:
    """Markdown of one run: run facts, checks, figures, quantiles at chosen years, parameters with sources."""
    h = "#" * heading
    meta = results.meta
    name = meta.get("scenario", "scenario")
    out = [f"{h} {_md(name)}", ""]
    desc = " ".join(str(meta.get("description") or "").split())
    if desc:
        out += [_md(desc), ""]
    out += [(f"n = {results.n:,} samples, seed {_md(meta.get('seed'))}, design {_md(meta.get('design'))}, "
            f"source {_code(meta.get('source', ''))}"), ""]
    if results.checks:
        out += [f"{h}# Checks: {checks_text(results.checks)}", "",
                "| verdict | claim | test | measured ± MC error |", "|---|---|---|---|"]
        for c in results.checks:
            note = _check_note(c, results.n)
            out.append(f"| **{_verdict(c)}** | {_md(c.claim)} | {_md(c.description)} | {_check_measured(c)}"
                       f"{' (' + note + ')' if note else ''} |")
        out.append("")
    if figures:
        out += [f"{h}# Figures", ""]
        for f in figures:
            shown = f.png or f.svg
            others = " · ".join(f"[{x.rsplit('.', 1)[-1].upper()}]({x})" for x in f.files if x != shown)
            if shown:
                out += [f"![{_md(f.title)}]({shown})", ""] + ([others, ""] if others else [])
            elif f.files:
                out += [f"*{_md(f.title)}*: {others}", ""]
            else:
                out += [f"*{_md(f.title)}: not drawn ({_md(f.error)})*", ""]
    yrs = _years_for(results) if years is None else list(years)
    out += [f"{h}# Summary (median and 90% interval)", "", "| output | bloc | year | median | 90% interval | unit |",
            "|---|---|---|---|---|---|"]
    for r in summary_table(results, yrs):
        out.append(f"| {_md(r['output'])} | {_md(r['bloc'])} | {r['year']} | {fmt_value(r['median'], r['unit'])} | "
                   f"{_interval(r['p05'], r['p95'], r['unit'])} | {_md(r['unit'])} |")
    out += ["", f"{h}# Parameters", "", "| parameter | distribution | median | 90% interval | unit | source |",
            "|---|---|---|---|---|---|"]
    for p in param_table(results, constants):
        src = p["source"] + (f" ({p['note']})" if p["note"] else "")
        out.append(f"| {_md(p['name'])} | {_md(p['dist'])} | {fmt_value(p['median'], p['unit'])} | "
                   f"{_interval(p['p05'], p['p95'], p['unit'])} | {_md(p['unit'])} | {_md(src)} |")
    clipped = meta.get("clipped_samples") or {}
    if clipped:
        out += ["", "Clipped to min/max: " + ", ".join(f"{_md(k)}: {v:,} samples" for k, v in clipped.items())]
    out.append("")
    return "\n".join(out)


def report_markdown(sections: Sequence[Section], comparisons: Sequence[FigureFile] = (), *, lead: str = "") -> str:
    """The whole report as Markdown; ``lead`` (Markdown, already escaped) follows the overview: the ledger."""
    out = ["# costsim report", "", _overview_sentence(sections), "",
           "| scenario | status | n | seed | checks |", "|---|---|---|---|---|"]
    for s in sections:
        r = s.results
        checks = checks_text(r.checks) if r is not None and r.checks else ""
        anchor = re.sub(r"[^a-z0-9_-]+", "-", s.name.lower())
        out.append(f"| [{_md(s.name)}](#{anchor}) | {s.status} | {f'{r.n:,}' if r else ''} | "
                   f"{_md(r.meta.get('seed')) if r else ''} | {checks} |")
    out.append("")
    if lead:
        out += [lead, ""]
    if comparisons:
        out += ["## Scenarios compared", ""]
        for f in comparisons:
            if f.png or f.svg:
                out += [f"![{_md(f.title)}]({f.png or f.svg})", ""]
    for s in sections:
        if s.results is None:
            out += [f"## {_md(s.name)}", "", f"**ERROR** ({_md(s.error_kind)}) in {_code(s.source)}:", "",
                    *_fence(s.error or ""), ""]
        else:
            out.append(markdown(s.results, years=_years_for(s.results, s.summary_years), figures=s.figures,
                                constants=s.constants))
    out += [_versions_line(), ""]
    return "\n".join(out)
