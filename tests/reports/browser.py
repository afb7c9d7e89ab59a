"""A page opened in headless Chromium through the DevTools protocol over a pipe (no
extra package, no port): what it requested, what its console said, a screenshot and the
page as printed to A4 PDF."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--remote-debugging-pipe",
]  # fmt: skip


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Visit:
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    errors: list[str] = field(default_factory=list)  # console errors, exceptions, error log entries
    screenshot: bytes = b""  # PNG
    pdf: bytes = b""  # printed on A4


class _Pipe:
    def __init__(self, process, write_fd: int, read_fd: int):
        self.process, self.write_fd, self.read_fd = process, write_fd, read_fd
        self.buffer, self.events, self.next_id = b"", [], 0

    def call(self, method: str, session: str | None = None, timeout: float = 30, **params) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.read(timeout)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self.read(timeout)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def read(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.read_fd], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)


def visit(page: Path, settle: float = 0.5) -> Visit:
    """Open `page` (a local file) in a fresh headless Chromium and report what happened."""
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:  # its helpers may write on a moment
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4.
        process = subprocess.Popen(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=lambda: (os.dup2(to_chrome_r, 3), os.dup2(from_chrome_w, 4)),
        )  # fmt: skip
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        try:
            return _drive(_Pipe(process, to_chrome_w, from_chrome_r), page.resolve().as_uri(), settle)
        finally:
            process.kill()
            process.wait()
            os.close(to_chrome_w)
            os.close(from_chrome_r)


def _drive(pipe: _Pipe, url: str, settle: float) -> Visit:
    target = pipe.call("Target.createTarget", url="about:blank")["targetId"]
    session = pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Network", "Runtime", "Log"):
        pipe.call(f"{domain}.enable", session)
    pipe.call("Emulation.setDeviceMetricsOverride", session, width=1000, height=1400, deviceScaleFactor=1, mobile=False)
    pipe.events.clear()
    pipe.call("Page.navigate", session, url=url)
    pipe.wait_for("Page.loadEventFired")
    time.sleep(settle)
    pipe.call("Runtime.evaluate", session, expression="1")  # collects the events that came meanwhile
    seen = Visit()
    clip = {"x": 0, "y": 0, "width": 1000, "height": 1400, "scale": 0.2}  # small enough to decode here
    seen.screenshot = base64.b64decode(pipe.call("Page.captureScreenshot", session, format="png", clip=clip)["data"])
    seen.pdf = base64.b64decode(
        pipe.call("Page.printToPDF", session, paperWidth=8.27, paperHeight=11.69, preferCSSPageSize=True)["data"]
    )
    for event in pipe.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            seen.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            seen.errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            seen.errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            seen.errors.append(params["entry"]["text"])
    return seen


def distinct_colours(png: bytes) -> int:
    """How many different pixel values a PNG screenshot holds (1 for a blank page)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], None
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        body = png[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour_type = header[:4]
    channels = {2: 3, 6: 4, 0: 1, 4: 2}[colour_type]
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels * depth // 8
    step = max(1, channels * depth // 8)
    previous, pixels = bytearray(stride), set()
    for y in range(height):
        kind, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = row[x - step] if x >= step else 0
            up, corner = previous[x], previous[x - step] if x >= step else 0
            row[x] = (row[x] + _predictor(kind, left, up, corner)) & 0xFF
        pixels.update(bytes(row[x : x + step]) for x in range(0, stride, step))
        previous = row
    return len(pixels)


def _predictor(kind: int, left: int, up: int, corner: int) -> int:
    """PNG's row filters: none, sub, up, average, Paeth."""
    if kind == 0:
        return 0
    if kind == 1:
        return left
    if kind == 2:
        return up
    if kind == 3:
        return (left + up) // 2
    estimate = left + up - corner
    near = min((abs(estimate - left), 0, left), (abs(estimate - up), 1, up), (abs(estimate - corner), 2, corner))
    return near[2]
