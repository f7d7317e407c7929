"""The graph page end to end: the local stack as `make run` starts it, seeded, drawn by headless Chromium.

The stack syncs 20 pushes from a local json-pushes host and takes 20 signed
Talos uploads (page a.com 25 % slower from the 11th push); its own workers
load the runs, compute the metrics and raise the alert. Chromium (Debian's
package, which the Makefile installs when it may) then loads
``/talos/graphs`` twice: ``--dump-dom`` gives the DOM after the page's
script drew the SVG (the points, their links and hover titles, the alert
marker), ``--screenshot`` saves what a person would see in the test's
output directory. Plain command-line flags are enough for both, so no
DevTools-protocol client is needed; ``--virtual-time-budget`` lets the
page's fetches and drawing finish before the dump.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from tests.local.test_stack_e2e import LocalStack, shipyard_cli, upload
from tests.support.datazilla_data import talos_run
from tests.support.jsonpushes_server import JsonPushesServer, node

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).parents[1] / "support" / "fixtures" / "talos_tp5n.json"
REPO = "integration/mozilla-inbound"
PUSHES = 20
STEP_AT = 10  # a.com is 25 % slower from the 11th push on
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-default-apps", "--disable-extensions", "--disable-sync",
                  "--no-first-run", "--no-default-browser-check", "--hide-scrollbars", "--mute-audio"]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Debian's chromium is not installed (`make browser` installs it where it may: root with apt-get)")
    return found


def _browse(binary: str, profile: Path, url: str, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=20000",
                           "--window-size=1100,1000", *flags, url],
                          capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)


def _settled_alerts(stack: LocalStack, deadline: float) -> list[dict]:
    previous = None
    while time.monotonic() < deadline:
        found = requests.get(f"{stack.api}/talos/alerts?branch=Mozilla-Inbound", timeout=10).json()["alerts"]
        if found and found == previous:
            return found
        previous = found
        time.sleep(1.0)
    pytest.fail(f"alerts did not settle:\n{stack.logs()}")


def _wait_for_every_run(stack: LocalStack, timeout: float = 120) -> list[dict]:
    """The alerts, once the workers have computed all the runs' metrics (and so their alerts)."""
    deadline = time.monotonic() + timeout
    points: list = []
    while time.monotonic() < deadline:
        groups = requests.get(f"{stack.api}/talos/graphs/options", timeout=10).json()["series"]
        if groups:
            query = urlencode({"series": groups[0]["series"], "page": "a.com"})
            points = requests.get(f"{stack.api}/talos/graphs/series?{query}", timeout=10).json()["points"]
            if len(points) == PUSHES:  # the last batch's alert detection runs right after its metrics: let it settle
                return _settled_alerts(stack, deadline)
        time.sleep(0.5)
    pytest.fail(f"{len(points)} of {PUSHES} runs computed within {timeout}s:\n{stack.logs()}")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A running stack with the branch, its pushes, 20 runs, their metrics and the alert."""
    hg = JsonPushesServer().start()
    stack = LocalStack(tmp_path_factory.mktemp("graphs-stack"))
    try:
        hg.add_pushes(REPO, PUSHES)
        cwd = tmp_path_factory.mktemp("graphs-cli")
        added = shipyard_cli(stack.state_dir, cwd, "branch", "add", "Mozilla-Inbound", "--uri", hg.url(REPO))
        assert added.returncode == 0, added.stderr
        synced = shipyard_cli(stack.state_dir, cwd, "pushlog", "sync", "--branch", "Mozilla-Inbound")
        assert synced.returncode == 0, synced.stderr
        blob = json.loads(FIXTURE.read_text())
        tips = [node(REPO, push_id, push_id % 3) for push_id in range(1, PUSHES + 1)]
        for i, tip in enumerate(tips):
            means = {"a.com": 125.0 if i >= STEP_AT else 100.0, "b.com": 200.0}
            response = upload(stack.api, talos_run(blob, tip, means, seed=i, date=1_300_000_000 + i))
            assert response.status_code == 200, response.text
        yield stack, tips, _wait_for_every_run(stack)
    finally:
        stack.close()
        hg.stop()


def _graph_url(api: str) -> str:
    choice = {"branch": "Mozilla-Inbound", "test": "Talos tp5n", "platform": "linux Fedora 12 x86_64 opt",
              "page": "a.com"}
    return f"{api}/talos/graphs?{urlencode(choice)}"


def test_the_stack_raised_one_regression_alert_on_the_step(seeded):
    _, tips, found = seeded
    [alert] = found
    assert (alert["page"], alert["revision"], alert["direction"]) == ("a.com", tips[STEP_AT][:12], "regression")


def test_chromium_draws_every_point_and_the_alert_marker(seeded, tmp_path):
    stack, tips, [alert] = seeded
    result = _browse(_chromium(), tmp_path / "profile", _graph_url(stack.api), "--dump-dom")
    dom = result.stdout
    assert 'data-state="ready"' in dom, result.stderr[-2000:]
    points = re.findall(r'<circle class="point[^"]*"[^>]*data-revision="([0-9a-f]+)"', dom)
    assert points == [tip[:12] for tip in tips]
    markers = re.findall(r'<polygon class="alert-marker regression"[^>]*data-alert-id="([0-9a-f]+)"', dom)
    assert markers == [alert["id"]]
    # a click on a point opens its push's metrics summary; a hover names its revision, date, author and push
    summary = f"/talos/testdata/metrics/Mozilla-Inbound/{tips[0][:12]}/summary"
    assert f'href="{stack.api}{summary}"' in dom
    titles = [unescape(t) for t in re.findall(r"<title>(revision [^<]*)</title>", dom)]
    assert titles[0].startswith(f"revision {tips[0][:12]}\n2011-") and "author Dev 1 <dev1@example.com>" in titles[0]
    assert "Bug 11 - change 1 of push 1" in titles[0]
    assert requests.get(stack.api + summary, timeout=10).json()["push_data"]["node"] == tips[0]


def test_chromium_saves_a_screenshot_of_the_graph(seeded, tmp_path):
    stack, _, _ = seeded
    shot = tmp_path / "graph.png"
    result = _browse(_chromium(), tmp_path / "profile", _graph_url(stack.api), f"--screenshot={shot}")
    assert shot.exists(), result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")
