/*
 * fw_protocol.h - the board's own packets on the serial link, beside the
 * guidance-core requests it hands to the dispatcher. Their layouts are
 * mirrored by hil/board/protocol.py (checked by tests/hil against this file).
 *
 * BOARD_PING   (0x27C, host -> board): any user data up to 256 octets.
 * BOARD_PONG   (0x27D, board -> host): the ping's user data and sequence
 *   count, echoed.
 * BOARD_STATUS (0x27F, board -> host): heartbeat and board time, sent every
 *   FW_STATUS_PERIOD_MS and once at boot; CUC = milliseconds since boot.
 *   User data, big-endian:
 *     u32 uptime_ms, u32 calls, u32 last_cycles, u32 max_cycles,
 *     u64 total_cycles, u32 frames_rx, u32 frames_tx, u32 crc_errors,
 *     u32 length_errors, u32 timeouts, u32 resyncs, u32 uart_overruns,
 *     u32 uart_line_errors, u32 core_hz, u8 flags, u8 boot_count_unused
 *   flags: bit 0 emulated (QEMU), bit 1 PLL locked, bit 2 cycles from DWT.
 */
#ifndef FW_PROTOCOL_H
#define FW_PROTOCOL_H

#define FW_APID_PING 0x27Cu
#define FW_APID_PONG 0x27Du
#define FW_APID_STATUS 0x27Fu
#define FW_STATUS_PERIOD_MS 200u
#define FW_STATUS_LEN 62u

#endif /* FW_PROTOCOL_H */
