"""Acceptance of the web console in a real browser (Debian's chromium driven
by playwright, headless) against a live ``fsw run short_inspection
--ground-port P --realtime 10 --keys K`` with a fault injected (the star
tracker heads drop out 20 s after insertion):

- the page shows the mission mode reach "commissioning";
- the operator sends NOOP from its form and sees it accepted and executed
  within 2 s, signed with the operator's key (not the scripted station's);
- the fault's limit violation (ADCS_STATE.st_age past its 60 s warning
  limit) shows as an alarm, and the field in colour on its telemetry page;
- a hazardous command goes out only armed, then confirmed;
- the command history survives a restart of the console;
- the stale-telemetry alarm rises when the emulator stops.

Screenshots are saved under the test's tmp dir when a step fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest

from fsw.packets.auth import new_key_file

CHROMIUM = "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM) or shutil.which("fsw") is None,
                                reason="needs Debian's chromium (apt-get install chromium) and "
                                       "the installed fsw command")
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync"]


def _free_port(pair: bool = False) -> int:
    for _ in range(100):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
        if not pair:
            return port
        if port >= 65534:
            continue
        with socket.socket() as b:
            try:
                b.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port")


def _start(cmd: list[str], log: Path) -> subprocess.Popen:
    f = open(log, "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def _wait_listening(port: int, proc: subprocess.Popen, log: Path, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited early:\n{log.read_text()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"not listening on {port} after {timeout_s} s:\n{log.read_text()}")


def _fault_scenario(tmp_path: Path) -> Path:
    """short_inspection with every star-tracker head dropping out 20 s after
    insertion (after the heads' first fix: 10 s of acquisition)."""
    base = resources.files("fsw").joinpath("scenarios/short_inspection.toml").read_text()
    path = tmp_path / "short_inspection_st_dropout.toml"
    path.write_text(base + "".join(f'\n[[faults]]\nat_s = 20.0\nkind = "star_tracker_dropout"\n'
                                   f"index = {h}\nduration_s = 1200.0\n" for h in range(3)))
    return path


def test_web_console_in_a_browser(tmp_path: Path) -> None:
    keys = tmp_path / "tc.keys"
    new_key_file(keys, [1, 2])
    history = tmp_path / "history.jsonl"
    link_port, web_port = _free_port(pair=True), _free_port()
    fsw = shutil.which("fsw")
    assert fsw is not None
    curve = tmp_path / "curve"  # the link as a user opens it: CurveZMQ on both sides
    subprocess.run([fsw, "curve", "new", str(curve)], check=True, capture_output=True)
    run = _start([fsw, "run", str(_fault_scenario(tmp_path)), "--ground-port", str(link_port),
                  "--curve", str(curve), "--realtime", "10", "--keys", str(keys),
                  "--duration", "600", "--no-archive", "--quiet", "--out", str(tmp_path / "run")],
                 tmp_path / "run.log")
    web_cmd = [fsw, "ground", f"tcp://127.0.0.1:{link_port}", "--web", "--port", str(web_port),
               "--keys", str(keys), "--curve", str(curve), "--history", str(history)]
    web = None
    shots = tmp_path / "screenshots"
    page = None
    try:
        web = _start(web_cmd, tmp_path / "web.log")
        _wait_listening(web_port, web, tmp_path / "web.log")
        url = f"http://127.0.0.1:{web_port}/"
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(url)
                expect = playwright.expect
                # 1. the mode reaches commissioning
                expect(page.locator("#mode")).to_have_text("commissioning", timeout=30_000)
                expect(page.locator("#link-state")).to_have_text("live")
                # 2. NOOP from its form: accepted and executed within 2 s
                page.click("nav#tabs button[data-tab=commands]")
                page.click("form[data-command=NOOP] button.send")
                page.click("nav#tabs button[data-tab=history]")
                row = page.locator("#history-table tr[data-id='1']")
                expect(row.locator("td.status")).to_have_text("executed", timeout=2_000)
                expect(row.locator("td.acks")).to_contain_text("accepted", timeout=100)
                expect(row.locator("td.name")).to_have_text("NOOP")
                expect(row).to_contain_text("2 / 1")  # key 2 (the station signs with 1)
                # a hazardous command: armed, then confirmed (FIRE without ARM_THRUSTERS:
                # the flight software refuses it, harmlessly)
                page.click("nav#tabs button[data-tab=commands]")
                fire = page.locator("form[data-command=FIRE]")
                expect(fire.locator("button.send")).to_have_text("Arm")
                fire.locator("input").first.fill("0.01")
                fire.locator("button.send").click()
                fire.locator("button.confirm").click()
                page.click("nav#tabs button[data-tab=history]")
                row2 = page.locator("#history-table tr[data-id='2']")
                expect(row2.locator("td.name")).to_contain_text("FIRE")
                expect(row2.locator("td.status")).to_have_text("rejected", timeout=5_000)
                # 3. the injected fault's limit violation is an alarm
                page.click("nav#tabs button[data-tab=alarms]")
                alarm = page.locator("#alarms-table tr[data-param='ADCS_STATE.st_age']")
                expect(alarm).to_have_class("level-warning", timeout=30_000)
                assert int(page.inner_text("#alarm-count")) >= 1
                page.click("nav#tabs button[data-tab=telemetry]")
                expect(page.locator("div[data-packet=ADCS_STATE] tr[data-field=st_age]")
                       ).to_have_class("level-warning", timeout=5_000)
                # 4. the history survives a restart of the console
                _stop(web)
                expect(page.locator("#link-state")).to_have_text("console disconnected",
                                                                  timeout=10_000)
                web = _start(web_cmd, tmp_path / "web2.log")
                _wait_listening(web_port, web, tmp_path / "web2.log")
                page.reload()
                page.click("nav#tabs button[data-tab=history]")
                row = page.locator("#history-table tr[data-id='1']")
                expect(row.locator("td.status")).to_have_text("executed", timeout=10_000)
                expect(row.locator("td.acks")).to_contain_text("accepted")
                # 5. the stale-telemetry alarm when the emulator stops talking
                _stop(run)
                expect(page.locator("#link-state")).to_have_text("stale", timeout=20_000)
                expect(page.locator("#stale-banner")).to_contain_text("TELEMETRY STALE")
                assert errors == []
            except BaseException:
                if page is not None:
                    shots.mkdir(exist_ok=True)
                    page.screenshot(path=str(shots / "failure.png"), full_page=True)
                    print(f"screenshot: {shots / 'failure.png'}", file=sys.stderr)
                raise
            finally:
                browser.close()
    finally:
        _stop(web)
        _stop(run)
    lines = history.read_text().splitlines()
    assert lines[0].startswith('{"apid": 128') and '"key_id": 2' in lines[0]
