"""Boards that run the guidance core behind the serial link: the firmware
under QEMU (:class:`QemuBoard`), the virtual board (:class:`VirtualBoard`,
the host build behind a pty) or a real STM32F4 board on a serial port; and
:class:`BoardLink`, the link object the board back end of the guidance core
uses (``transact(request, timeout) -> response``), and
:func:`connected_link`, a started board with its connected link."""

from hil.board.link import BoardLink, connected_link
from hil.board.qemu import QemuBoard, build_firmware, firmware_tools_missing, run_semihosted
from hil.board.virtual import VirtualBoard

__all__ = [
    "BoardLink",
    "QemuBoard",
    "VirtualBoard",
    "build_firmware",
    "connected_link",
    "firmware_tools_missing",
    "run_semihosted",
]
