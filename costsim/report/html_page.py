"""index.html and report.json: the report as one offline page, and its manifest."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence

from costsim import __version__
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
    versions,
)
from costsim.results import checks_text

CSS = """
:root { --ok: #1a7f37; --fail: #cf222e; --err: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 15px/1.5 "DejaVu Sans", system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328;
       margin: 0; background: #f6f8fa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { margin: 0 0 4px; font-size: 28px; }
h2 { margin: 40px 0 8px; padding-top: 16px; border-top: 2px solid var(--line); font-size: 22px; }
h3 { margin: 24px 0 8px; font-size: 17px; }
p.lead, p.meta { color: var(--muted); margin: 4px 0; }
code { font-size: 13px; background: #f6f8fa; padding: 1px 4px; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ledger-wrap { overflow-x: auto; }
table.ledger { font-size: 12px; table-layout: fixed; }
table.ledger th:nth-child(1) { width: 33%; } table.ledger th:nth-child(2) { width: 11%; }
table.ledger th:nth-child(3) { width: 13%; } table.ledger th:nth-child(4) { width: 19%; }
table.ledger th:nth-child(5) { width: 12%; } table.ledger th:nth-child(6) { width: 12%; }
table.ledger td { overflow-wrap: break-word; }
table.ledger .quote, table.ledger .when { color: var(--muted); margin-top: 2px; }
details pre { white-space: pre-wrap; font-size: 12px; background: #f6f8fa; padding: 8px; }
td.src { color: var(--muted); font-size: 12px; max-width: 420px; }
.badge { display: inline-block; min-width: 52px; text-align: center; padding: 1px 8px; border-radius: 10px;
         color: #fff; font-weight: 700; font-size: 12px; }
.OK, .PASS { background: var(--ok); } .FAIL { background: var(--fail); } .ERROR { background: var(--err); }
.figs { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; }
figure img { width: 100%; height: auto; display: block; }
figcaption { font-size: 12px; color: var(--muted); margin-top: 4px; }
figure.wide { grid-column: 1 / -1; }
pre.error { background: #fff8c5; border: 1px solid #d4a72c; padding: 12px; white-space: pre-wrap; font-size: 13px; }
nav table td:first-child a { font-weight: 600; }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; }
.live { position: fixed; right: 12px; bottom: 12px; padding: 4px 10px; border-radius: 6px; font-size: 12px;
        background: #ddf4ff; color: #0969da; display: none; }
.live.error { background: #fff8c5; color: #9a6700; display: block; }
"""

# The live page (costsim watch): apply pushed updates in place. A figure update swaps one image;
# a section update replaces the section but keeps the figures whose key did not change, so
# nothing reloads and the scroll position stays. Each shown image is acknowledged at /seen.
LIVE_JS = """
(function () {
  var status = document.getElementById("live-status");
  var page = Math.random().toString(36).slice(2);
  function seen(id, key, img) {
    fetch("/seen?page=" + page + "&id=" + encodeURIComponent(id) + "&key=" + encodeURIComponent(key) + "&w=" +
          img.naturalWidth, {cache: "no-store"}).catch(function () {});
  }
  function watchImage(fig) {
    var img = fig.querySelector("img");
    if (!img) { return; }
    var ack = function () { seen(fig.id, fig.getAttribute("data-key") || "", img); };
    if (img.complete && img.naturalWidth > 0) { ack(); } else { img.addEventListener("load", ack, {once: true}); }
  }
  var es = new EventSource(EVENTS_URL);
  es.addEventListener("figure", function (e) {
    var d = JSON.parse(e.data), old = document.getElementById(d.id);
    if (!old || old.getAttribute("data-key") === d.key) { return; }
    var box = document.createElement("div");
    box.innerHTML = d.html;
    var fresh = box.firstElementChild;
    var img = fresh.querySelector("img");
    if (img) { img.addEventListener("load", function () { old.replaceWith(fresh); watchImage(fresh); }, {once: true}); }
    else { old.replaceWith(fresh); }
  });
  es.addEventListener("section", function (e) {
    var d = JSON.parse(e.data), old = document.getElementById(d.id);
    var box = document.createElement("div");
    box.innerHTML = d.html;
    var fresh = box.firstElementChild;
    if (!old) { document.querySelector("main").appendChild(fresh); return; }
    fresh.querySelectorAll("figure[id]").forEach(function (f) {
      var kept = document.getElementById(f.id);
      if (kept && kept.getAttribute("data-key") === f.getAttribute("data-key")) { f.replaceWith(kept); }
    });
    old.replaceWith(fresh);
    fresh.querySelectorAll("figure[id]").forEach(watchImage);
    status.className = "live" + (d.error ? " error" : "");
    status.textContent = d.error ? "the scenario has an error; the page shows it in place" : "";
  });
  es.onerror = function () { status.className = "live error"; status.textContent = "watch stopped"; };
  es.onopen = function () { status.className = "live"; status.textContent = ""; };
  document.querySelectorAll("figure[id]").forEach(watchImage);
})();
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _badge(word: str) -> str:
    cls = word.rstrip("?")
    return f'<span class="badge {cls}">{_e(word)}</span>'


def figure_id(owner: str, f: FigureFile) -> str:
    """The page id of a figure: its section's anchor and its file stem."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", f"{owner}--{f.spec.stem}")


def _figure_html(f: FigureFile, owner: str = "compare", live: bool = False) -> str:
    wide = " wide" if f.spec.kind == "checks" else ""
    fid = _e(figure_id(owner, f))
    shown = f.png or f.svg or next((x for x in f.files if not x.endswith(".pdf")), None)
    if not shown:
        why = f"not drawn ({_e(f.error)})" if f.error else "drawn only as " + " · ".join(
            f'<a href="{_e(x)}">{_e(x.rsplit(".", 1)[-1].upper())}</a>' for x in f.files)
        return f'<figure class="fig{wide}" id="{fid}"><figcaption>{_e(f.title)}: {why}</figcaption></figure>'
    src = f"{shown}?v={f.key}" if live and f.key else shown
    size = f' width="{f.size[0]}" height="{f.size[1]}"' if f.size else ""
    links = " · ".join(f'<a href="{_e(x)}">{_e(x.rsplit(".", 1)[-1].upper())}</a>' for x in (f.files or (shown,)))
    return (f'<figure class="fig{wide}" id="{fid}" data-key="{_e(f.key)}"><a href="{_e(shown)}"><img '
            f'src="{_e(src)}" alt="{_e(f.title)}"{size} loading="eager"></a><figcaption>{_e(f.title)} · {links}'
            "</figcaption></figure>")


def section_html(s: Section, live: bool = False) -> str:
    """The HTML of one scenario section (``live``: image URLs carry the figure's key, for updates)."""
    out = [f'<section id="{_e(s.anchor)}">', f"<h2>{_e(s.name)} {_badge(s.status)}</h2>"]
    if s.results is None:
        out += [(f'<p class="meta">{_e(s.error_kind)} error in <code>{_e(s.source)}</code>; the scenario was not '
                "run. Fix it and run the report again.</p>"), f'<pre class="error">{_e(s.error)}</pre>', "</section>"]
        return "\n".join(out)
    r = s.results
    meta = r.meta
    desc = " ".join(str(meta.get("description") or "").split())
    if desc:
        out.append(f'<p class="lead">{_e(desc)}</p>')
    out.append(f'<p class="meta">n = {r.n:,} samples · seed {_e(meta.get("seed"))} · design '
               f'{_e(meta.get("design"))} · source <code>{_e(meta.get("source", s.source))}</code> · '
               f'<a href="data/{_e(s.key or s.name)}_summary.csv">summary CSV</a></p>')
    if r.checks:
        out += [f"<h3>Checks: {checks_text(r.checks)}</h3>",
                "<table><tr><th>verdict</th><th>claim</th><th>test</th><th>measured ± MC error</th></tr>"]
        for c in r.checks:
            note = _check_note(c, r.n)
            note_html = f'<br><small class="src">{_e(note)}</small>' if note else ""
            out.append(f"<tr><td>{_badge(_verdict(c))}</td><td>{_e(c.claim)}</td><td><code>{_e(c.description)}"
                       f"</code></td><td class=\"num\">{_e(_check_measured(c))}{note_html}</td></tr>")
        out.append("</table>")
        table_fig = next((f for f in s.figures if f.spec.kind == "checks" and f.files), None)
        if table_fig:
            links = " · ".join(f'<a href="{_e(x)}">{_e(x.rsplit(".", 1)[-1].upper())}</a>' for x in table_fig.files)
            out.append(f'<p class="meta">The checks as a figure: {links}</p>')
    if s.figures:
        out += ["<h3>Figures</h3>", '<div class="figs">']
        out += [_figure_html(f, s.anchor, live) for f in s.figures if f.spec.kind != "checks"]
        out.append("</div>")
    years = _years_for(r, s.summary_years)
    out += ["<h3>Summary: median and 90% interval</h3>",
            ("<table><tr><th>output</th><th>bloc</th><th>year</th><th>median</th><th>90% interval</th>"
            "<th>unit</th></tr>")]
    for row in summary_table(r, years):
        out.append(f"<tr><td><code>{_e(row['output'])}</code></td><td>{_e(row['bloc'])}</td><td>{_e(row['year'])}"
                   f"</td><td class=\"num\">{_e(fmt_value(row['median'], row['unit']))}</td><td class=\"num\">"
                   f"{_e(_interval(row['p05'], row['p95'], row['unit']))}</td><td>{_e(row['unit'])}</td></tr>")
    out.append("</table>")
    out += ["<h3>Parameters</h3>", ("<table><tr><th>parameter</th><th>distribution</th><th>median</th>"
            "<th>90% interval</th><th>unit</th><th>source</th></tr>")]
    for p in param_table(r, s.constants):
        note = f"<br><i>{_e(p['note'])}</i>" if p["note"] else ""
        out.append(f"<tr><td><code>{_e(p['name'])}</code></td><td>{_e(p['dist'])}</td><td class=\"num\">"
                   f"{_e(fmt_value(p['median'], p['unit']))}</td><td class=\"num\">{_e(_interval(p['p05'], p['p95'], p['unit']))}</td>"
                   f"<td>{_e(p['unit'])}</td><td class=\"src\">{_e(p['source'])}{note}</td></tr>")
    out.append("</table>")
    clipped = meta.get("clipped_samples") or {}
    if clipped:
        out.append('<p class="meta">Clipped to min/max: '
                   + _e(", ".join(f"{k}: {v:,} samples" for k, v in clipped.items())) + "</p>")
    out.append("</section>")
    return "\n".join(out)


def report_html(sections: Sequence[Section], comparisons: Sequence[FigureFile] = (), *,
                title: str = "costsim report", live: str | None = None, lead: str = "") -> str:
    """The whole report as one HTML page (inline CSS; images by relative path).

    The page has no scripts, unless ``live`` names the server-sent-events URL of ``costsim
    watch``: then a short script applies the updates it pushes (figures and sections replaced in
    place, so the page keeps its scroll position). ``lead`` is HTML (already escaped) that opens
    the page: the claims ledger.
    """
    head = ['<!DOCTYPE html>', '<html lang="en">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{_e(title)}</title>"]
    head += [f"<style>{CSS}</style>", "</head>", "<body>", "<main>", f"<h1>{_e(title)}</h1>",
             f'<p class="lead">{_e(_overview_sentence(sections))}</p>', "<nav><table>",
             "<tr><th>scenario</th><th>status</th><th>n</th><th>seed</th><th>checks</th><th>figures</th></tr>"]
    for s in sections:
        r = s.results
        checks = checks_text(r.checks) if r is not None and r.checks else ""
        figs = sum(1 for f in s.figures if f.files)
        head.append(f'<tr><td><a href="#{_e(s.anchor)}">{_e(s.name)}</a></td><td>{_badge(s.status)}</td>'
                    f'<td class="num">{f"{r.n:,}" if r else ""}</td><td class="num">'
                    f'{_e(r.meta.get("seed")) if r else ""}</td><td>{_e(checks)}</td><td class="num">{figs}</td></tr>')
    head.append("</table></nav>")
    body = [lead] if lead else []
    if comparisons:
        body += ['<section id="compare">', "<h2>Scenarios compared</h2>",
                 '<p class="meta">Median and 80% interval of outputs that several scenarios share.</p>',
                 '<div class="figs">', *[_figure_html(f, "compare", bool(live)) for f in comparisons], "</div>",
                 "</section>"]
    body += [section_html(s, bool(live)) for s in sections]
    foot = [(f"<footer>{_e(_versions_line())} Figures: PNG shown, other formats linked; tables: median and 90% "
            "interval (5th to 95th percentile) of the Monte Carlo samples; MC error = Monte Carlo standard error."
            "</footer>"), "</main>"]
    if live:
        foot.append('<div id="live-status" class="live"></div>')
        foot.append("<script>" + LIVE_JS.replace("EVENTS_URL", json.dumps(live)) + "</script>")
    foot += ["</body>", "</html>", ""]
    return "\n".join(head + body + foot)


def report_manifest(sections: Sequence[Section], comparisons: Sequence[FigureFile] = (),
                    samples_cap: int | None = None) -> dict:
    """report.json: what was run and with what; no timestamps, so equal inputs give equal bytes."""
    entries = []
    for s in sections:
        e = {"name": s.name, "source": s.source, "status": s.status}
        if s.results is not None:
            r = s.results
            e.update(n=r.n, seed=r.meta.get("seed"), design=r.meta.get("design"),
                     scenario_sha256=r.meta.get("scenario_sha256"),
                     checks={"passed": sum(c.verdict == "PASS" for c in r.checks),
                             "close": sum(c.verdict == "CLOSE" for c in r.checks), "total": len(r.checks)},
                     figures=[_figure_entry(f) for f in s.figures])
        else:
            e.update(error_kind=s.error_kind, error=s.error)
        entries.append(e)
    return {"costsim_version": __version__, "kind": "report", "samples_cap": samples_cap, "versions": versions(),
            "scenarios": entries, "comparisons": [_figure_entry(f) for f in comparisons]}


def _figure_entry(f: FigureFile) -> dict:
    return {"kind": f.spec.kind, "output": f.spec.output, "png": f.png, "svg": f.svg, "error": f.error,
            "key": f.key, "files": list(f.files), "size": list(f.size) if f.size else None}


def html_references(page: str) -> list[str]:
    """Relative paths an HTML page points at (src= and href=, without #anchors or URLs)."""
    refs = re.findall(r'(?:src|href)="([^"#][^"]*)"', page)
    return [html.unescape(r).split("?")[0] for r in refs if not re.match(r"^[a-z]+:", r)]
