"""The board's own packets on the serial link (APIDs 0x27C-0x27F, the top of
the guidance-core block), beside the guidance requests it hands to the core's
dispatcher. The firmware builds them in C (native/firmware/fw_protocol.h);
tests/hil checks the two agree."""

from fsw.packets.defs import _limits as lim
from fsw.packets.dictionary import Field, telemetry
from fsw.packets.types import U8, U32, U64, GreedyBytes, flags

#: BOARD_STATUS.flags (fsw.packets.enums.BoardFlag): set by the firmware
#: (native/firmware/main.c) or the virtual board (hil/board/virtual.py)
BOARD_FLAG = flags(U8, emulated=1, pll_locked=2, dwt_cycles=4, host_build=8)

BOARD_PING = telemetry(0x27C, "BOARD_PING", [
    Field("payload", GreedyBytes, "", "any octets (at most 256); echoed in BOARD_PONG"),
], "Link check and latency probe, host to board.")

BOARD_PONG = telemetry(0x27D, "BOARD_PONG", [
    Field("payload", GreedyBytes, "", "the BOARD_PING payload, echoed"),
], "Answer to BOARD_PING, board to host; echoes its sequence count.")

BOARD_STATUS = telemetry(0x27F, "BOARD_STATUS", [
    Field("uptime_ms", U32, "ms", "time since the board booted (also the CUC, from 0)"),
    Field("calls", U32, "", "guidance-core requests executed"),
    Field("last_cycles", U32, "", "execution cycles of the last request"),
    Field("max_cycles", U32, "", "largest execution cycles of one request"),
    Field("total_cycles", U64, "", "execution cycles of all requests"),
    Field("frames_rx", U32, "", "frames accepted by the board"),
    Field("frames_tx", U32, "", "frames sent by the board, this one included"),
    Field("crc_errors", U32, "", "frames rejected for their CRC", limits=lim.ERROR_COUNT),
    Field("length_errors", U32, "", "frames rejected for their length field",
          limits=lim.ERROR_COUNT),
    Field("timeouts", U32, "", "partial frames abandoned (no byte for 250 ms)"),
    Field("resyncs", U32, "", "runs of bytes skipped to find a marker"),
    Field("uart_overruns", U32, "", "received bytes lost (USART overrun or ring full)",
          limits=lim.ERROR_COUNT),
    Field("uart_line_errors", U32, "", "USART framing/noise errors"),
    Field("core_hz", U32, "Hz", "core clock (cycles per second)"),
    Field("flags", BOARD_FLAG, "", "emulated (QEMU), PLL locked, cycles from the DWT, host "
          "build (the virtual board)"),
    Field("spare", U8, "", "zero"),
], "Board heartbeat, time and statistics, every 200 ms and at boot.")
