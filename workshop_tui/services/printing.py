"""Receipts and Z-reports to an ESC/POS thermal printer (python-escpos), and the cash drawer.

A printer is named by a URI (`WORKSHOP_PRINTER`, `--printer`):

    none                 no printer: receipts are only saved as text files (the default)
    file:/dev/usb/lp0    raw ESC/POS bytes to a device (or a file, which each job rewrites)
    tcp://host:9100      a network printer (port 9100 when none is given)
    usb:04b8:0202        a USB printer by vendor and product id (hex; needs pyusb)
    cups:QUEUE           a CUPS queue (needs pycups)

A document is built whole in memory (python-escpos's Dummy printer) and sent in one
write, so a printer that goes away mid-job never gets half a receipt's commands, and
the bytes can be checked without hardware. Printing happens after the sale's commit
and never raises for a printer that is off or away: the caller gets a `PrintOutcome`
saying so, keeps the saved text, and may try again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workshop_tui.services import receipts, zreport
from workshop_tui.services.errors import InvalidInput
from workshop_tui.services.types import Receipt, ZReport

if TYPE_CHECKING:
    from escpos.escpos import Escpos

    from workshop_tui.config import Settings

log = logging.getLogger(__name__)

PAPER_COLUMNS = (42, 32)  # 80 mm and 58 mm paper, font A
DRAWER_PINS = (2, 5)
KINDS = ("none", "file", "tcp", "usb", "cups")


@dataclass(frozen=True)
class PrinterTarget:
    """Where ESC/POS bytes go: the parsed form of a printer URI."""

    kind: str  # one of KINDS
    path: str = ""  # file: the file or device; cups: the queue
    host: str = ""
    port: int = 9100
    vendor: int = 0
    product: int = 0

    @property
    def enabled(self) -> bool:
        return self.kind != "none"

    def __str__(self) -> str:
        if self.kind == "tcp":
            return f"tcp://{self.host}:{self.port}"
        if self.kind == "usb":
            return f"usb:{self.vendor:04x}:{self.product:04x}"
        return "none" if self.kind == "none" else f"{self.kind}:{self.path}"


@dataclass(frozen=True)
class PrintOutcome:
    """What happened to one print job: printed, no printer configured, or not reachable."""

    printed: bool
    target: str
    error: str = ""  # why the printer could not be reached ("" when printed or no printer)

    @property
    def unreachable(self) -> bool:
        return not self.printed and bool(self.error)


_TCP = re.compile(r"^tcp://(?P<host>\[[^\]]+\]|[^:/\s]+)(?::(?P<port>\d{1,5}))?/?$")
_USB = re.compile(r"^usb:(?P<vendor>[0-9a-fA-F]{1,4}):(?P<product>[0-9a-fA-F]{1,4})$")


def parse_printer(uri: str | None) -> PrinterTarget:
    """`none`, `file:/path`, `tcp://host[:port]`, `usb:VID:PID` or `cups:QUEUE`; else InvalidInput."""
    text = (uri or "none").strip()
    if text.lower() in ("", "none"):
        return PrinterTarget("none")
    if text.startswith("file:"):
        path = text.removeprefix("file:").removeprefix("//")
        if not path.startswith("/"):
            raise InvalidInput(
                f"printer {text!r}: file: needs an absolute path, e.g. file:/dev/usb/lp0"
            )
        return PrinterTarget("file", path=path)
    if match := _TCP.match(text):
        port = int(match["port"] or 9100)
        if not 0 < port < 65536:
            raise InvalidInput(f"printer {text!r}: the port must be 1-65535")
        return PrinterTarget("tcp", host=match["host"].strip("[]"), port=port)
    if match := _USB.match(text):
        return PrinterTarget(
            "usb", vendor=int(match["vendor"], 16), product=int(match["product"], 16)
        )
    if text.startswith("cups:") and text.removeprefix("cups:").strip():
        return PrinterTarget("cups", path=text.removeprefix("cups:").strip())
    raise InvalidInput(
        f"printer {text!r}: use none, file:/path, tcp://host:9100, usb:VENDOR:PRODUCT or cups:QUEUE"
    )


def check_layout(columns: int, drawer_pin: int) -> None:
    if columns not in PAPER_COLUMNS:
        raise InvalidInput("the receipt width is 42 columns (80 mm paper) or 32 (58 mm)")
    if drawer_pin not in DRAWER_PINS:
        raise InvalidInput("the cash drawer is on pin 2 or pin 5")


# --- documents -----------------------------------------------------------------


def _new() -> Any:
    # Imported when a document is made: python-escpos brings Pillow and qrcode along.
    from escpos.printer import Dummy

    return Dummy()


def _start(doc: Escpos) -> None:
    doc.hw("INIT")  # ESC @: no mode left over from another program's job


def _body(doc: Escpos, text: str) -> None:
    """The laid-out text, line by line; the first line of a duplicate stands out."""
    for line in text.splitlines():
        if "DUPLICATE" in line or line.strip() in ("WORKSHOP", "Z-REPORT"):
            doc.set(align="left", bold=True)
            doc.textln(line)
            doc.set_with_default()
        else:
            doc.textln(line)


def _finish(doc: Escpos, drawer_pin: int | None) -> None:
    if drawer_pin is not None:
        doc.cashdraw(drawer_pin)  # ESC p: kick the drawer before the cut, while the paper feeds
    doc.cut()  # feeds past the tear bar, then GS V


def receipt_document(
    receipt: Receipt, *, columns: int = receipts.PRINTER_WIDTH, drawer_pin: int | None = None
) -> bytes:
    """A receipt (sale, refund or DUPLICATE) as ESC/POS: init, the text, the order as a QR
    code, the cut; with `drawer_pin`, the drawer pulse (a cash sale)."""
    doc = _new()
    _start(doc)
    _body(doc, receipts.as_text(receipt, columns))
    doc.set(align="center")
    # Native QR (GS ( k): the printer draws it, so nothing is rasterised here.
    doc.qr(f"WORKSHOP-ORDER-{receipt.order.id}", native=True, size=4)
    doc.textln(f"Order #{receipt.order.id}")
    doc.set_with_default()
    _finish(doc, drawer_pin)
    return bytes(doc.output)


def zreport_document(z: ZReport, *, columns: int = receipts.PRINTER_WIDTH) -> bytes:
    doc = _new()
    _start(doc)
    _body(doc, zreport.as_text(z, columns))
    _finish(doc, None)
    return bytes(doc.output)


def drawer_document(pin: int) -> bytes:
    """Only the drawer pulse: a cash in/out, or staff opening the drawer by key."""
    doc = _new()
    doc.cashdraw(pin)
    return bytes(doc.output)


# --- delivery ------------------------------------------------------------------


def _device(target: PrinterTarget, timeout: float) -> Escpos:
    from escpos import printer

    if target.kind == "file":
        return printer.File(target.path)
    if target.kind == "tcp":
        return printer.Network(target.host, target.port, timeout=timeout)
    if target.kind == "usb":
        return printer.Usb(target.vendor, target.product)
    if target.kind == "cups":
        return printer.CupsPrinter(target.path)
    raise InvalidInput(f"no printer to send to ({target})")


def send(
    target: PrinterTarget,
    data: bytes,
    *,
    timeout: float = 5.0,
    device: Callable[[PrinterTarget, float], Escpos] = _device,
) -> PrintOutcome:
    """Write one document; a printer that is off, away or out of order is an outcome, not an error."""
    if not target.enabled:
        return PrintOutcome(printed=False, target=str(target))
    printer: Escpos | None = None
    try:
        printer = device(target, timeout)
        printer.open()
        # python-escpos has no public raw write; `_raw` is what its own commands go through.
        printer._raw(data)
    except Exception as exc:  # noqa: BLE001 - any failure of the device means "not printed"
        log.warning("printer %s not reachable: %s", target, exc)
        return PrintOutcome(printed=False, target=str(target), error=_one_line(exc))
    finally:
        if printer is not None:
            _close(printer)
    return PrintOutcome(printed=True, target=str(target))


def _close(printer: Escpos) -> None:
    try:
        printer.close()
    except Exception as exc:  # noqa: BLE001 - the job was sent or failed already
        log.debug("closing the printer: %s", exc)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


@dataclass(frozen=True)
class Printer:
    """The terminal's printer and paper, from the settings."""

    target: PrinterTarget
    columns: int = receipts.PRINTER_WIDTH
    drawer_pin: int = 2
    timeout: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings, uri: str | None = None) -> Printer:
        """`uri` (a --printer flag) over the settings' printer."""
        check_layout(settings.printer_columns, settings.drawer_pin)
        return cls(
            target=parse_printer(uri if uri is not None else settings.printer),
            columns=settings.printer_columns,
            drawer_pin=settings.drawer_pin,
            timeout=settings.printer_timeout_seconds,
        )

    def receipt(self, receipt: Receipt, *, open_drawer: bool = False) -> PrintOutcome:
        """Print a receipt; the drawer opens only for a cash sale that asked for it."""
        kick = open_drawer and receipt.kind == "sale" and receipt.payment.method == "cash"
        data = receipt_document(
            receipt, columns=self.columns, drawer_pin=self.drawer_pin if kick else None
        )
        return send(self.target, data, timeout=self.timeout)

    def zreport(self, z: ZReport) -> PrintOutcome:
        return send(self.target, zreport_document(z, columns=self.columns), timeout=self.timeout)

    def open_drawer(self) -> PrintOutcome:
        return send(self.target, drawer_document(self.drawer_pin), timeout=self.timeout)


def save_text(folder: Path, receipt: Receipt, *, columns: int = receipts.PRINTER_WIDTH) -> Path:
    """The copy as text under data_dir/receipts, whether or not a printer took it:
    order-12-payment-34-copy-2.txt."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (
        f"order-{receipt.order.id}-payment-{receipt.payment.id}-copy-{receipt.copy_number}.txt"
    )
    path.write_text(receipts.as_text(receipt, columns), encoding="utf-8")
    return path
