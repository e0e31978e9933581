"""costsim watch's live page: pushed updates (server-sent events), redrawing only what changed, errors in place.

The browser test runs Debian's chromium headless against the watch server and is skipped where no
chromium binary is installed. Every loop here is bounded by a count and a time.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import TINY_SCENARIO

from costsim import report
from costsim.report.live import LiveReport, LiveServer

DEADLINE_S = 60.0


def _sse_reader(url: str, into: queue.Queue, stop: threading.Event) -> threading.Thread:
    host, port = re.match(r"http://([^:/]+):(\d+)/", url).groups()

    def read():
        conn = http.client.HTTPConnection(host, int(port), timeout=DEADLINE_S)
        conn.request("GET", "/events")
        resp = conn.getresponse()
        name = None
        for _ in range(100_000):  # bounded: far more lines than any test sends
            if stop.is_set():
                break
            line = resp.fp.readline().decode("utf-8")
            if not line:
                break
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: ") and name:
                into.put((name, json.loads(line[6:])))
                name = None
        conn.close()

    t = threading.Thread(target=read, daemon=True)
    t.start()
    return t


def _next(events: queue.Queue, name: str, timeout: float = DEADLINE_S) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            got, data = events.get(timeout=max(0.01, end - time.monotonic()))
        except queue.Empty:
            break
        if got == name:
            return data
    raise AssertionError(f"no {name!r} event within {timeout} s")


def _drain(events: queue.Queue, until: str) -> list[tuple[str, dict]]:
    got = []
    for _ in range(1000):
        name, data = events.get(timeout=DEADLINE_S)
        got.append((name, data))
        if name == until:
            return got
    raise AssertionError("too many events")


def test_live_server_pushes_only_changed_figures_and_errors_in_place(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY_SCENARIO, encoding="utf-8")
    server = LiveServer(tmp_path / "out").start()
    assert server.url.startswith("http://127.0.0.1:")
    stop = threading.Event()
    events: queue.Queue = queue.Queue()
    try:
        live = LiveReport(tmp_path / "out", key="tiny", title="t", publish=server.publish)
        _sse_reader(server.url, events, stop)
        for _ in range(200):  # wait (bounded) for the event stream to be connected
            if server.clients:
                break
            time.sleep(0.02)
        first = live.update(report.run_section(scenario, samples=64))
        assert len(first.drawn) == 3 and not first.kept
        got = _drain(events, "section")
        assert [n for n, _ in got] == ["figure"] * 3 + ["section"]
        # the decline drives effective_flop, not physical_flop: only the figures that read it are redrawn
        scenario.write_text(TINY_SCENARIO.replace("low: 2, high: 8}", "low: 3, high: 9}"), encoding="utf-8")
        second = live.update(report.run_section(scenario, samples=64))
        assert second.drawn and second.kept
        assert any("physical_flop" in k for k in second.kept)
        pushed = [d["id"] for n, d in _drain(events, "section") if n == "figure"]
        assert pushed == second.drawn
        # an invalid scenario: the section shows the error, no figure is pushed
        scenario.write_text(TINY_SCENARIO.replace("params:", "paramz:"), encoding="utf-8")
        third = live.update(report.run_section(scenario, samples=64))
        assert third.section.error
        ((_, data),) = _drain(events, "section")
        assert data["error"] is True and "paramz" in data["html"] and 'class="error"' in data["html"]
        # the page itself is served, with the live script and no meta refresh
        conn = http.client.HTTPConnection(*server.httpd.server_address[:2], timeout=10)
        conn.request("GET", "/")
        page = conn.getresponse().read().decode("utf-8")
        assert "EventSource" in page and 'http-equiv="refresh"' not in page
    finally:
        stop.set()
        server.close()


def test_figures_the_scenario_no_longer_draws_are_removed(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY_SCENARIO, encoding="utf-8")
    live = LiveReport(tmp_path / "out", key="tiny", title="t")
    live.update(report.run_section(scenario, samples=32))
    assert len(list((tmp_path / "out" / "figures").rglob("*.png"))) == 3
    scenario.write_text(TINY_SCENARIO + "plots:\n  - {kind: fan, output: physical_flop}\n", encoding="utf-8")
    up = live.update(report.run_section(scenario, samples=32))
    assert [p.name for p in (tmp_path / "out" / "figures").rglob("*.png")] == ["fan_physical_flop.png"]
    assert up.kept == ["s-tiny--fan_physical_flop"]  # unchanged: not redrawn


def test_live_server_listens_on_loopback_only(tmp_path):
    server = LiveServer(tmp_path)
    try:
        assert server.httpd.server_address[0] == "127.0.0.1"
    finally:
        server.httpd.server_close()


# ------------------------------------------------------------------------------ a real browser
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _lines(proc: subprocess.Popen, into: queue.Queue) -> None:
    for _ in range(100_000):
        line = proc.stdout.readline()
        if not line:
            return
        into.put(line.rstrip("\n"))


def _wait_line(lines: queue.Queue, pattern: str, seen: list[str], timeout: float = DEADLINE_S) -> re.Match:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            line = lines.get(timeout=max(0.01, end - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        m = re.search(pattern, line)
        if m:
            return m
    raise AssertionError(f"no line matching {pattern!r} within {timeout} s; got:\n" + "\n".join(seen))


@pytest.mark.skipif(_chromium() is None, reason="no chromium binary (apt-get install chromium)")
def test_headless_browser_sees_the_figure_change_after_a_save(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY_SCENARIO, encoding="utf-8")
    watch = subprocess.Popen(
        [sys.executable, "-c", "import sys; from costsim.cli import main; sys.exit(main(sys.argv[1:]))", "watch",
         str(scenario), "-o", str(tmp_path / "w"), "-n", "64", "--max-runs", "2", "--interval", "0.05"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(watch, lines), daemon=True).start()
    browser = None
    log: list[str] = []
    try:
        url = _wait_line(lines, r"page: (http://127\.0\.0\.1:\d+/)", log).group(1)
        _wait_line(lines, r"tiny: n=64, 3 figures redrawn", log)
        profile = tmp_path / "profile"
        browser = subprocess.Popen(
            [_chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1280,900", url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        shown: dict[str, str] = {}
        pages: set[str] = set()
        pattern = r"page (\w+) shows (\S+) (\w+) \((\d+) px wide\)"
        for _ in range(3):  # the three figures of the first run, as loaded by the browser
            m = _wait_line(lines, pattern, log)
            pages.add(m.group(1))
            shown[m.group(2)] = m.group(3)
            assert int(m.group(4)) > 0
        fan = next(fid for fid in shown if "fan_effective_flop" in fid)
        before = shown[fan]
        time.sleep(0.05)  # a distinct mtime for the save
        scenario.write_text(TINY_SCENARIO.replace("low: 2, high: 8}", "low: 3, high: 9}"), encoding="utf-8")
        for _ in range(20):  # the run's line and the browser's acknowledgements, in whatever order
            m = _wait_line(lines, pattern + r"|tiny: n=64, \d+ figures redrawn", log)
            if m.group(1):
                pages.add(m.group(1))
                shown[m.group(2)] = m.group(3)
                assert int(m.group(4)) > 0
            if shown[fan] != before:
                break
        assert shown[fan] != before, "the browser never showed the new effective_flop fan chart"
        assert len(pages) == 1, "the page reloaded (a new page token); it must update in place"
        assert watch.wait(timeout=DEADLINE_S) == 0
    finally:
        if browser is not None:
            os.killpg(browser.pid, signal.SIGTERM)
            try:
                browser.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(browser.pid, signal.SIGKILL)
        if watch.poll() is None:
            watch.terminate()
            watch.wait(timeout=10)
