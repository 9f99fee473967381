"""One session's app on a pseudo-terminal of its own, and the end of it (no orphans).

The app is the leader of a new session with the pty as its controlling terminal,
so a resize (TIOCSWINSZ on our side) reaches it as SIGWINCH, and a hang-up reaches
its whole process group.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import os
import pty
import signal
import struct
import termios
from collections.abc import Callable
from contextlib import suppress

STOP_GRACE_SECONDS = 2.0


def _take_terminal() -> None:
    # In the child, after setsid() (start_new_session): stdin, the pty, becomes its terminal.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyApp:
    """A child process on a pty: bytes in, bytes out, resizable, stoppable."""

    def __init__(self, proc: asyncio.subprocess.Process, master: int) -> None:
        self.proc = proc
        self.master = master
        self.pid = proc.pid
        self._closed = False

    @classmethod
    async def start(cls, argv: list[str], env: dict[str, str], columns: int, lines: int) -> PtyApp:
        master, slave = pty.openpty()
        try:
            _set_size(master, columns, lines)
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
                start_new_session=True,
                preexec_fn=_take_terminal,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        return cls(proc, master)

    def resize(self, columns: int, lines: int) -> None:
        if not self._closed and columns > 0 and lines > 0:
            _set_size(self.master, columns, lines)

    def pump_output(self, write: Callable[[bytes], None], done: asyncio.Event) -> None:
        """Hand everything the app writes to `write`; set `done` when the pty is closed."""
        loop = asyncio.get_running_loop()

        def readable() -> None:
            try:
                data = os.read(self.master, 65536)
            except BlockingIOError:
                return
            except OSError:  # EIO: the app and every process on the pty have gone
                data = b""
            if data:
                write(data)
                return
            loop.remove_reader(self.master)
            done.set()

        loop.add_reader(self.master, readable)

    async def write(self, data: bytes) -> None:
        """Keys for the app; waits (without blocking the loop) while its input queue is full."""
        view = memoryview(data)
        while view and not self._closed:
            try:
                view = view[os.write(self.master, view) :]
            except BlockingIOError:
                await asyncio.sleep(0.01)
            except OSError as exc:
                if exc.errno in (errno.EIO, errno.EBADF):
                    return
                raise

    async def stop(self) -> int:
        """End the app's whole process group and reap it; returns its exit status."""
        if self.proc.returncode is None:
            self._signal_group(signal.SIGHUP)  # the terminal hung up
            try:
                await asyncio.wait_for(self.proc.wait(), STOP_GRACE_SECONDS)
            except TimeoutError:
                self._signal_group(signal.SIGKILL)
                await self.proc.wait()
        # Anything the app left behind in its group goes too.
        self._signal_group(signal.SIGKILL)
        self.close()
        return self.proc.returncode if self.proc.returncode is not None else -1

    def _signal_group(self, sig: int) -> None:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            with suppress(Exception):
                asyncio.get_running_loop().remove_reader(self.master)
            with suppress(OSError):
                os.close(self.master)


def _set_size(fd: int, columns: int, lines: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
