"""Where a running local stack's CPU goes: py-spy samples of its process, summed by layer.

``benchmarks/load.py --drain --profile`` records each stack it measures (the
one before and the one after, in the same run) with py-spy, an external
sampling profiler that attaches to a process without changing it, and prints
this summary. py-spy is not a project dependency: ``pip install py-spy`` where
you measure (root, or ``ptrace`` allowed), or pass ``--py-spy PATH``.

Only samples of threads holding the GIL are kept (``--gil``): the stack is one
Python process, so those are the ones spending its CPU, and a thread waiting
in a long poll or for a lock is not counted as busy. Each sample is charged to
the innermost frame that belongs to a known layer (``LAYERS``), so a JSON
encode is charged to whoever called it, and a library's helper to the library.
"""

from __future__ import annotations

import collections
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

SAMPLES_A_SECOND = 100

# (layer, pattern of a frame "function (file:line)"), innermost match wins; first listed wins on a frame.
LAYERS: list[tuple[str, re.Pattern[str]]] = [
    ("journal (images, frames, fdatasync)", re.compile(r"chalicelib/local/(journal|persistence|journal_images|"
                                                       r"snapshots)\.py|image_of|_records \(")),
    ("moto backends (the fake AWS's own work)", re.compile(r"moto/(dynamodb|sqs|s3)/models|moto_guards")),
    ("AWS calls in process (moto's request/response, the direct path)",
     re.compile(r"moto/|_direct_json|_plain|plain_answers|_empty_answer|_attribute_values_read|_without_none|"
                r"direct_dynamodb|embedded_aws|moto_backends|(expression|sqs|s3)_guards")),
    ("botocore client (validate, serialise, sign, parse)", re.compile(r"botocore/|_attribute_values_(direct|written)")),
    ("HTTP server and Chalice's gateway", re.compile(r"socketserver|http/server|chalice/local\.py|http_server\.py|"
                                                     r"email/|ssl\.py")),
    ("pynamodb (models to attribute values)", re.compile(r"pynamodb/")),
    ("event pump", re.compile(r"chalicelib/local/pump")),
    ("the app's own code (routes, services, workers, statistics)",
     re.compile(r"chalicelib/|numpy|scipy|app\.py|chalice/app\.py|oauthlib|requests_oauthlib")),
]
OTHER = "other (threads, imports, logging)"


@dataclass
class Recording:
    process: subprocess.Popen[bytes]
    output: Path

    def stop(self) -> dict[str, collections.Counter[str]]:
        """End the recording (py-spy writes its file on SIGINT) and read it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        return summarize(self.output) if self.output.exists() else {}


def py_spy(explicit: str | None) -> str:
    found = explicit or shutil.which("py-spy")
    if not found:
        raise SystemExit("--profile needs py-spy (pip install py-spy; not a project dependency), or --py-spy PATH")
    return found


def record(executable: str, pid: int, output: Path, seconds: float) -> Recording:
    """Start sampling ``pid`` for at most ``seconds`` (bounded: py-spy stops by itself)."""
    command = [executable, "record", "--pid", str(pid), "--rate", str(SAMPLES_A_SECOND), "--gil", "--nonblocking",
               "--format", "raw", "--duration", str(max(1, int(seconds))), "--output", str(output)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Recording(process, output)


def _layer(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, pattern in LAYERS:
            if pattern.search(frame):
                return name
    return OTHER


def summarize(path: Path) -> dict[str, collections.Counter[str]]:
    """Samples by layer and by innermost frame (self), from py-spy's raw (collapsed) output."""
    layers: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        layers[_layer(frames)] += int(count)
        leaves[re.sub(r" \(.*/site-packages/", " (", frames[-1])] += int(count)
    return {"layers": layers, "leaves": leaves}


def report(label: str, summary: dict[str, collections.Counter[str]], cpu_ms_a_blob: float, top: int = 12) -> str:
    """Each layer's share of the samples, as ms of the stack's measured CPU a blob; then the busiest frames.

    Shares, not sample counts, make the milliseconds: on a loaded machine a
    thread can hold the GIL while it waits for a core, so samples overstate
    CPU; the process's CPU time (``/proc``) is the measure, the profile splits it.
    """
    layers, leaves = summary.get("layers"), summary.get("leaves")
    if not layers:
        return f"{label}: no profile recorded"
    total = sum(layers.values())
    ms = cpu_ms_a_blob / total
    lines = [f"{label}: {total} samples with the GIL held; the stack's {cpu_ms_a_blob:.0f} ms of CPU a blob, split"]
    lines += [f"  {count * ms:6.0f} ms  {count / total:5.1%}  {name}" for name, count in layers.most_common()]
    lines.append(f"  top {top} innermost frames:")
    lines += [f"  {count * ms:6.0f} ms  {count / total:5.1%}  {name[:110]}" for name, count in leaves.most_common(top)]
    return "\n".join(lines)
