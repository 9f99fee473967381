"""The terminal app in a real pseudo-terminal, driven by keystrokes and timed by its output.

What a user at a terminal sees: bytes in, bytes out, through Textual's own Linux
driver. No test harness sits between the key and the screen.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time
from contextlib import suppress

# CSI (including private modes), OSC and two-byte escapes: what sits between text on the wire.
ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


class Terminal:
    """A child process on a pty of `columns` x `lines`."""

    def __init__(self, argv: list[str], env: dict[str, str], columns: int = 80, lines: int = 24):
        pid, fd = pty.fork()
        if pid == 0:  # the child: the app, on the pty's far side
            os.execve(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        os.kill(pid, signal.SIGWINCH)
        self.seen = b""  # the text written since the last `mark()`, escapes removed

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # the child exited
            raise RuntimeError("the app exited") from None
        self.seen += ESCAPES.sub(b"", chunk)
        return True

    def mark(self) -> None:
        self.seen = b""

    def wait_for(self, text: str, timeout: float = 30.0) -> float:
        """Read until `text` has been written since the last mark; return the time it had."""
        wanted = text.encode()
        deadline = time.perf_counter() + timeout
        while wanted not in self.seen:
            left = deadline - time.perf_counter()
            if left <= 0:
                tail = self.seen[-400:].decode(errors="replace")
                raise TimeoutError(f"{text!r} did not appear; last output: {tail!r}")
            self._read(left)
        return time.perf_counter()

    def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Read until the app has written nothing for `quiet` seconds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and self._read(quiet):
            pass

    def cpu(self) -> float:
        """CPU seconds the app has used so far, all its threads (in 10 ms ticks): unlike the
        wall-clock figures, it hardly grows when other work shares the machine."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        """The app's peak resident memory so far (VmHWM)."""
        with open(f"/proc/{self.pid}/status") as status:
            line = next(li for li in status if li.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    def send(self, keys: str) -> float:
        os.write(self.fd, keys.encode())
        return time.perf_counter()

    def close(self) -> None:
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                break
            with suppress(RuntimeError):
                self._read(0.05)  # a child blocked writing to the pty could not exit
        os.close(self.fd)
