"""Real app sessions over SSH (`workshop serve ssh`), driven by keystrokes, timed by their output.

Each sale as a person at the counter makes it: `+` on the first product, `c` to the
cart, `o` to check out, `p` to pay (UPI, the default), Enter to leave the receipt. Each
step is timed from its key to the text it makes appear (escapes removed).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")

# key(s) -> the text that shows they took effect
STEPS = (
    ("ssh.add", "+", "Cart: 1 item"),
    ("ssh.cart", "c", "Total ₹"),
    ("ssh.checkout", "o", "To pay:"),
    ("ssh.pay", "p", "Paid by"),
    ("ssh.done", "\r", "Cart: empty"),
)


def start_server(url: str, listen_url: str, data_dir: Path) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "WORKSHOP_DATABASE_URL": url, "WORKSHOP_LISTEN_URL": listen_url,
           "WORKSHOP_DATA_DIR": str(data_dir)}  # fmt: skip
    argv = [sys.executable, "-m", "workshop_tui.cli", "serve", "ssh", "--open", "--port", "0"]
    proc = subprocess.Popen(  # a service of its own, not part of the bench's session
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        start_new_session=True,
    )  # fmt: skip
    line = proc.stdout.readline()
    found = re.search(r":(\d+):", line)
    if not found:
        proc.kill()
        raise RuntimeError(f"workshop serve ssh did not start: {line!r}")
    return proc, int(found.group(1))


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Session:
    def __init__(self, process) -> None:
        self.process = process
        self.seen = b""

    async def wait_for(self, text: str, timeout: float = 30.0) -> float:
        wanted = text.encode()
        deadline = time.perf_counter() + timeout
        while wanted not in self.seen:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{text!r} did not appear: {self.seen[-300:]!r}")
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), left)
            except TimeoutError:
                continue
            if not chunk:
                raise RuntimeError("the session ended")
            self.seen += ESCAPES.sub(b"", chunk)
        return time.perf_counter()

    async def settle(self, quiet: float = 0.25) -> None:
        while True:
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), quiet)
            except TimeoutError:
                return
            if not chunk:
                return

    async def step(self, keys: str, text: str) -> float:
        self.seen = b""
        start = time.perf_counter()
        self.process.stdin.write(keys.encode())
        return await self.wait_for(text) - start


async def one_terminal(port: int, login: str, pin: str, window, think: float, seed: int):
    import asyncssh

    rng = random.Random(seed)
    times: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    sales = 0
    async with asyncssh.connect(
        "127.0.0.1", port, username="bench", known_hosts=None, client_keys=None,
        agent_path=None, config=[],
    ) as conn:  # fmt: skip
        process = await conn.create_process(
            term_type="xterm-256color", term_size=(80, 24), encoding=None
        )
        term = Session(process)
        await term.wait_for("Phone number or username")
        await term.settle()
        await term.step(login + "\r", "PIN or password")
        await term.settle()
        times["ssh.login"].append(await term.step(pin + "\r", "Cart:"))
        await term.settle(0.5)
        start_at, deadline = window
        await asyncio.sleep(max(0.0, start_at - time.time()))
        while time.time() < deadline:
            try:
                for name, keys, text in STEPS:
                    times[name].append(await term.step(keys, text))
                    await term.settle(0.1)
                    await asyncio.sleep(rng.uniform(0.2, 0.6))  # reading the screen
                sales += 1
            except (TimeoutError, RuntimeError) as exc:
                errors[type(exc).__name__] += 1
                break
            await asyncio.sleep(min(rng.uniform(0.5, 1.5) * think, max(0, deadline - time.time())))
        process.stdin.write(b"\x11")  # ctrl+q
    return times, errors, sales


def drive(port: int, logins: list[str], pin: str, window, think: float, queue) -> None:
    """In a process of its own: every SSH terminal at once; puts (times, errors, sales)."""
    os.setsid()  # the people at these terminals are not the bench (terminals.own_session)

    async def main():
        return await asyncio.gather(
            *(one_terminal(port, login, pin, window, think, n) for n, login in enumerate(logins)),
            return_exceptions=True,
        )

    times: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    sales = 0
    for result in asyncio.run(main()):
        if isinstance(result, BaseException):
            errors[f"ssh {type(result).__name__}: {result}"[:120]] += 1
            continue
        t, e, s = result
        for name, values in t.items():
            times[name] += values
        errors.update(e)
        sales += s
    queue.put((dict(times), dict(errors), sales))
