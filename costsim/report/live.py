"""The live page of ``costsim watch``: a small server on 127.0.0.1 that pushes updates as they are drawn.

:class:`LiveServer` serves the watch folder (stdlib ``http.server``) and three URLs of its own:
``/events`` (server-sent events: ``figure`` when one figure was redrawn, ``section`` when the
scenario's section changed, with its HTML), ``/seen`` (the page acknowledges each image it shows,
so the watch can say how long after the save the reader saw it) and ``/`` (the page, or a
placeholder until the first run is done).

:class:`LiveReport` reruns the scenario on each save and redraws only the figures whose content
key changed (:func:`costsim.report.figures.figure_key`), pushing each as soon as it is saved, so
the first changed figure is on the page before the others are drawn. An invalid scenario shows
its error in place of the section; the page is never reloaded, so it keeps its scroll position.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from costsim.report.figures import draw_plan, figure_key, section_plans
from costsim.report.html_page import (
    _figure_html,
    figure_id,
    report_html,
    report_manifest,
    section_html,
)
from costsim.report.markdown_page import report_markdown
from costsim.report.sections import Section

EVENTS = "/events"
KEEPALIVE_S = 10.0


@dataclass
class Seen:
    """One image a browser reported as shown: page load token, figure id, key, pixel width, time."""

    page: str
    id: str
    key: str
    width: int
    at: float


class LiveServer:
    """Serve ``folder`` on 127.0.0.1 with server-sent events; start with :meth:`start`, stop with :meth:`close`."""

    def __init__(self, folder: str | Path, port: int = 0, *, title: str = "costsim watch",
                 on_seen: Callable[[Seen], None] | None = None):
        self.folder = Path(folder)
        self.title = title
        self.on_seen = on_seen
        self.events: list[tuple[str, str]] = []  # (event name, JSON data), in order
        self.seen: list[Seen] = []
        self.clients = 0
        self._cond = threading.Condition()
        self._closing = False
        live = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=str(live.folder), **kw)

            def log_message(self, *_args):  # the terminal shows runs, not requests
                pass

            def end_headers(self):
                self.send_header("Cache-Control", "no-store")
                super().end_headers()

            def do_GET(self):
                url = urlparse(self.path)
                if url.path == EVENTS:
                    return live._stream(self)
                if url.path == "/seen":
                    q = parse_qs(url.query)
                    live._record(Seen(q.get("page", [""])[0], q.get("id", [""])[0], q.get("key", [""])[0],
                                      int((q.get("w") or ["0"])[0] or 0), time.monotonic()))
                    self.send_response(204)
                    self.end_headers()
                    return None
                if url.path in ("/", "/index.html") and not (live.folder / "index.html").is_file():
                    body = report_html([], title=live.title, live=EVENTS).encode("utf-8")
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return None
                return super().do_GET()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="costsim-live", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()

    def publish(self, event: str, data: dict) -> None:
        """Push one event to every connected page (and to pages that connect later, from their start)."""
        with self._cond:
            self.events.append((event, json.dumps(data)))
            self._cond.notify_all()

    def wait_seen(self, keys: set[str], timeout: float) -> bool:
        """Wait until a page has shown every figure key in ``keys`` (False after ``timeout`` seconds)."""
        end = time.monotonic() + timeout
        with self._cond:
            while not keys <= {s.key for s in self.seen}:
                left = end - time.monotonic()
                if left <= 0 or self._closing:
                    return False
                self._cond.wait(left)
        return True

    def _record(self, seen: Seen) -> None:
        with self._cond:
            self.seen.append(seen)
            self._cond.notify_all()
        if self.on_seen:
            self.on_seen(seen)

    def _stream(self, handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        # no "Connection: keep-alive": http.server would then wait for another request on this socket
        # after the stream ends, instead of closing it
        handler.end_headers()
        # a page that connects now is already drawn from the latest files: only later events matter
        with self._cond:
            sent = len(self.events)
            self.clients += 1
        try:
            handler.wfile.write(b": connected\n\n")
            handler.wfile.flush()
            while True:
                with self._cond:
                    if sent == len(self.events) and not self._closing:
                        self._cond.wait(KEEPALIVE_S)
                    if self._closing:
                        return
                    pending = self.events[sent:]
                    sent = len(self.events)
                chunk = "".join(f"event: {name}\ndata: {data}\n\n" for name, data in pending) or ": ping\n\n"
                handler.wfile.write(chunk.encode("utf-8"))
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return
        finally:
            with self._cond:
                self.clients -= 1


@dataclass
class Update:
    """What one save changed: the section, the figures redrawn (ids) and the time each was pushed."""

    section: Section
    drawn: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    first_figure_s: float | None = None
    wall_s: float = 0.0


class LiveReport:
    """Keep a watch folder (and its page) up to date with a scenario, one update per save."""

    def __init__(self, folder: str | Path, *, key: str, title: str, formats: Sequence[str] = ("png",),
                 publish: Callable[[str, dict], None] | None = None):
        self.folder = Path(folder)
        self.key = re.sub(r"[^A-Za-z0-9_.-]+", "_", key)
        self.title = title
        self.formats = tuple(formats)
        self.publish = publish or (lambda _e, _d: None)
        self.current: dict[str, tuple[str, object]] = {}  # figure id -> (key, FigureFile)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._scratch = self.folder / ".drawing"

    def close(self) -> None:
        """Remove the scratch folder of the figures being drawn (``.drawing``): nothing of it is left
        in the report folder when watching stops, by Ctrl-C, SIGTERM or --max-runs."""
        _remove_tree(self._scratch)

    def update(self, section: Section, t0: float | None = None) -> Update:
        """Redraw what changed in ``section``, pushing each figure as soon as it is saved."""
        t0 = time.perf_counter() if t0 is None else t0
        section.key = self.key
        up = Update(section)
        if section.results is not None:
            figures = []
            for plan in section_plans(section):
                key = figure_key(plan, self.formats)
                fid = figure_id(section.anchor, _stub(plan.spec))
                old = self.current.get(fid)
                if old is not None and old[0] == key and all((self.folder / f).is_file() for f in old[1].files):
                    figures.append(old[1])
                    up.kept.append(fid)
                    continue
                fig = self._draw(plan, key)
                figures.append(fig)
                self.current[fid] = (key, fig)
                up.drawn.append(fid)
                self.publish("figure", {"id": fid, "key": key, "html": _figure_html(fig, section.anchor, True)})
                if up.first_figure_s is None:
                    up.first_figure_s = time.perf_counter() - t0
            section.figures = figures
            self._write_data(section)
            self._remove_stale(figures)
        self._write_pages(section)
        self.publish("section", {"id": section.anchor, "html": section_html(section, live=True),
                                 "error": bool(section.error)})
        up.wall_s = time.perf_counter() - t0
        return up

    def _draw(self, plan, key: str):
        scratch = self._scratch / key
        fig = draw_plan(plan, scratch, self.formats)
        fig.key = key
        for rel in fig.files:  # rename into place: a page never reads a half-written image
            (self.folder / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(scratch / rel, self.folder / rel)
        _remove_tree(scratch)
        return fig

    def _remove_stale(self, figures) -> None:
        """Delete the files of figures the scenario no longer draws (after the page stops showing them)."""
        keep = {self.folder / f for fig in figures for f in fig.files}
        root = self.folder / "figures"
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if path.is_file() and path not in keep:
                path.unlink()
        live_ids = {fid for fid, (_, fig) in self.current.items() if fig in figures}
        self.current = {fid: v for fid, v in self.current.items() if fid in live_ids}

    def _write_data(self, section: Section) -> None:
        (self.folder / "data").mkdir(exist_ok=True)
        _replace_text(self.folder / "data" / f"{section.key}_summary.csv", section.results.summary_csv())

    def _write_pages(self, section: Section) -> None:
        _replace_text(self.folder / "index.html", report_html([section], title=self.title, live=EVENTS))
        _replace_text(self.folder / "report.md", report_markdown([section]))
        _replace_text(self.folder / "report.json", json.dumps(report_manifest([section]), indent=1) + "\n")


def _stub(spec):
    from costsim.report.sections import FigureFile

    return FigureFile(spec)


def _replace_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
