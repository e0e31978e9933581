"""The ledger as text, Markdown and HTML tables (escaped), each verdict linked to its scenario's section."""

from __future__ import annotations

import html
import re

from costsim.ledger.book import source_title


def anchor(scenario: str | None) -> str:
    """The report's section anchor of a scenario: ``#s-NAME``, as costsim.report names its sections."""
    return f"#s-{re.sub(r'[^A-Za-z0-9_-]+', '-', str(scenario))}" if scenario else ""


def _prob(r: dict) -> str:
    return deciding_text(r)


def _verdict_text(r: dict) -> str:
    text = r["verdict"]
    if r.get("later"):
        text += f" (later data: {r['later']['verdict']})"
    return text


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.4g}"


def deciding_text(r: dict) -> str:
    """The statistic that decides a record's verdict, its MC error and its threshold.

    ``median(us_lab_cost_usd) = 5.616e+06 ± 3.072e+04, needs in [1e+07, 1.5e+07]``; for a
    ``judge: probability`` claim, ``P(...) = 0.365 ± 0.0076, band: holds if >= 0.8, ...``.
    """
    if not r.get("statistic"):
        return ""
    return f"{r['statistic']} = {_num(r['value'])} ± {_num(r['value_se'])}, needs {r['threshold_text']}"


HEADER = f"{'claim':36s} {'verdict':18s} deciding statistic = value ± MC se, needs threshold   [scenario]"


def format_line(r: dict) -> str:
    """One line of ``costsim claims``: id, verdict, the deciding statistic ± MC error and its threshold, scenario.

    An untested claim shows its reason; a claim whose verdict differs with later data gets a
    second line with that verdict and its statistic; ``too close to call`` says what straddles.
    """
    at = f", n={r['n']:,}" if r.get("n") and r["verdict"] != "untested" else ""  # the samples it was judged at
    where = f"  [{r['scenario']}{at}]" if r.get("scenario") else ""
    if r["verdict"] == "untested":
        return f"{r['id']:36s} {r['verdict']:18s} ({r.get('reason') or ''}){where}" + _tail(r)
    line = f"{r['id']:36s} {r['verdict']:18s} {deciding_text(r)}{where}"
    if r["verdict"] == "too close to call" and r.get("reason"):
        line += f"\n{'':55s} ({r['reason']})"
    return line + _tail(r)


def _tail(r: dict) -> str:
    out = ""
    if r.get("later"):
        later = r["later"]
        out += f"\n{'':36s} later data: {later['verdict']:17s} {deciding_text(later)}"
    if r.get("profiles"):
        out += "\n" + f"{'':36s} profiles: " + ", ".join(f"{k}={v}" for k, v in r["profiles"].items())
    return out


def summary_line(s: dict) -> str:
    """The closing counts of ``costsim claims``, verdicts in a fixed order."""
    order = ["holds", "fails", "too close to call", "untested"]
    counts = ", ".join(f"{s['counts'].get(k, 0)} {k}" for k in order + sorted(set(s["counts"]) - set(order)))
    return (f"{s['claims']} claims: {counts}; {s['with_verdict']} with a verdict as of their date, "
            f"{s['changed_with_later_data']} with another verdict on later data")


def _md(text: object) -> str:
    """Escape text for a Markdown table cell (pipes, backslashes, emphasis and link syntax, newlines)."""
    s = str(text).replace("\\", "\\\\")
    for ch in "|*_`[]<>#":
        s = s.replace(ch, "\\" + ch)
    return " ".join(s.split())


def profile_agreement(r: dict) -> str:
    """``all agree``, ``only NAME supports`` or ``split`` for a record's per-profile verdicts."""
    verdicts = r.get("profiles") or {}
    if not verdicts:
        return ""
    if len(set(verdicts.values())) == 1:
        return "all agree"
    holding = [k for k, v in verdicts.items() if v == "holds"]
    return f"only {holding[0]} supports" if len(holding) == 1 else "split"


def to_markdown(records: list[dict]) -> str:
    """The ledger as a Markdown table; every cell escaped, every verdict linked to its scenario section."""
    profiles = list(dict.fromkeys(k for r in records for k in (r.get("profiles") or {})))
    head = ["claim", "quote", "who", "date", "kind", "verdict", "deciding statistic ± MC se", "scenario"] + profiles
    if profiles:
        head.append("profiles")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in records:
        verdict = _md(_verdict_text(r))
        if r.get("scenario") and r["verdict"] != "untested":
            verdict = f"[{verdict}]({anchor(r['scenario'])})"
        elif r.get("reason"):
            verdict = f"{verdict}: {_md(r['reason'])}"
        cells = [_md(r["id"]), _md(f"\u201c{r['quote']}\u201d ({source_title(r['source'])})"), _md(r["who"]),
                 _md(r["date"]), _md(r["kind"]), verdict, _md(_prob(r)), _md(r.get("scenario") or "")]
        cells += [_md((r.get("profiles") or {}).get(p, "")) for p in profiles]
        if profiles:
            cells.append(_md(profile_agreement(r)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def to_html(records: list[dict]) -> str:
    """The ledger as an HTML table; text escaped, every verdict linked to its scenario section.

    Six columns, so the table fits a laptop's page without scrolling sideways: the claim (its id
    over its quote and source), who said it when (and the kind of claim), the verdict, the
    deciding statistic, the scenario, and the verdict under each belief profile with their
    agreement.
    """
    e = html.escape
    profiles = list(dict.fromkeys(k for r in records for k in (r.get("profiles") or {})))
    head = ["claim", "who, when", "verdict", "deciding statistic ± MC se", "scenario"]
    if profiles:
        head.append("under belief profiles")
    rows = ['<div class="ledger-wrap">', '<table class="ledger">',
            "<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead>", "<tbody>"]
    for r in records:
        cls = r["verdict"].replace(" ", "-")
        verdict = e(_verdict_text(r))
        if r.get("scenario") and r["verdict"] != "untested":
            verdict = f'<a href="{e(anchor(r["scenario"]))}">{verdict}</a>'
        elif r.get("reason"):
            verdict = f"{verdict}: {e(r['reason'])}"
        cells = [f"<code>{e(r['id'])}</code><div class=\"quote\">\u201c{e(r['quote'])}\u201d "
                 f"({e(source_title(r['source']))})</div>",
                 f"{e(r['who'])}<div class=\"when\">{e(r['date'])} &middot; {e(r['kind'])}</div>"]
        statistic, scenario = _prob(r), r.get("scenario") or ""
        if statistic or scenario:
            cells += [f'<span class="verdict {e(cls)}">{verdict}</span>', _breakable(statistic), _breakable(scenario)]
        else:  # an untested claim: its reason has the width of the three cells
            cells.append(f'<span class="verdict {e(cls)}">{verdict}</span>')
        if profiles:
            given = {k: v for k, v in (r.get("profiles") or {}).items() if v}
            under = "".join(f"<div>{e(p)}: {e(given[p])}</div>" for p in profiles if p in given)
            cells.append(under + (f"<div class=\"when\">{e(profile_agreement(r))}</div>" if given else ""))
        tds = [f"<td>{c}</td>" for c in cells]
        if not (statistic or scenario):
            tds[2] = f'<td colspan="3">{cells[2]}</td>'
        rows.append("<tr>" + "".join(tds) + "</tr>")
    rows += ["</tbody>", "</table>", "</div>"]
    return "\n".join(rows) + "\n"


def _breakable(text: str) -> str:
    """Escaped text that a narrow cell may wrap after its underscores (long names have no spaces)."""
    return html.escape(text).replace("_", "_<wbr>")


def report_section_html(records: list[dict], whys: dict[str, str] | None = None) -> str:
    """The ledger as the report's opening section (``<section id="ledger">``), for a one-line hook.

    ``whys`` ({claim id: text}, see :func:`costsim.ledger.why.report_whys`) follow the table as
    "what would flip it".
    """
    from costsim.ledger.judge import summary

    s = summary(records)
    counts = ", ".join(f"{v} {html.escape(k)}" for k, v in sorted(s["counts"].items()))
    return (f'<section id="ledger">\n<h2>Claims ledger</h2>\n<p>{s["claims"]} claims of the debate, '
            f'{s["with_verdict"]} with a verdict as of their date ({counts}); {s["changed_with_later_data"]} '
            f"differ with later data. Each verdict links to the scenario that tests it; "
            f"<code>costsim claims --why ID</code> shows what would flip it.</p>\n{to_html(records)}"
            + _whys_html(whys or {}) + "</section>\n")


def _whys_html(whys: dict[str, str]) -> str:
    if not whys:
        return ""
    out = ["<h3>What would flip the close and contested verdicts</h3>",
           '<p class="meta">Scenario discovery on each claim\'s samples: PRIM boxes of the inputs where it holds '
           "and where it fails (coverage, density), and each input swung alone to its 5th and 95th percentile.</p>"]
    for cid, text in whys.items():
        out.append(f"<details><summary><code>{html.escape(cid)}</code></summary><pre>{html.escape(text)}</pre>"
                   "</details>")
    return "\n".join(out) + "\n"


def report_section_markdown(records: list[dict], whys: dict[str, str] | None = None) -> str:
    """The ledger as the Markdown report's opening section (``whys`` as in :func:`report_section_html`)."""
    from costsim.ledger.judge import summary

    s = summary(records)
    out = (f"## Claims ledger\n\n{s['claims']} claims, {s['with_verdict']} with a verdict as of their date; "
           f"{s['changed_with_later_data']} differ with later data.\n\n{to_markdown(records)}\n")
    if whys:
        out += "### What would flip the close and contested verdicts\n\n"
        for cid, text in whys.items():
            out += f"**{_md(cid)}**\n\n```\n{text.replace('```', '` ` `')}\n```\n\n"
    return out
