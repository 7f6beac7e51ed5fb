/*
 * main.c - the guidance-core board firmware: a serial packet loop.
 *
 * Bytes arrive by interrupt into a ring (board.c); the loop deframes them
 * (fw_link.c), answers BOARD_PING itself, hands every other packet to the
 * guidance core's dispatcher and sends its response, measuring each call in
 * cycles; every FW_STATUS_PERIOD_MS it sends BOARD_STATUS (heartbeat, board
 * time and statistics). With nothing to do it sleeps (WFI) until the next
 * interrupt: a received byte or the 1 ms SysTick. The watchdog is kicked
 * once per loop.
 */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "fw_dispatch.h"
#include "fw_link.h"
#include "fw_protocol.h"

typedef struct fw_state {
    fw_board board;
    fw_link_stats link;
    fw_rx rx;
    uint16_t seq_status;
    uint32_t calls;
    uint32_t last_cycles, max_cycles;
    uint64_t total_cycles;
    uint8_t pkt[FW_MAX_PACKET];
    uint8_t resp[FW_MAX_PACKET];
    fw_dispatch_ctx dispatch;
} fw_state;

static fw_state g_fw; /* too big for the stack; owned by main() only */

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void send_packet(fw_state *s, const uint8_t *pkt, size_t n)
{
    static const uint8_t asm_bytes[FW_ASM_LEN] = {0x1Au, 0xCFu, 0xFCu, 0x1Du};
    fw_uart_write(asm_bytes, FW_ASM_LEN);
    fw_uart_write(pkt, n);
    s->link.frames_tx++;
}

static void send_status(fw_state *s, uint32_t now)
{
    uint8_t d[FW_STATUS_LEN];
    uint8_t flags = 0;
    size_t n;
    put_u32(d + 0, now);
    put_u32(d + 4, s->calls);
    put_u32(d + 8, s->last_cycles);
    put_u32(d + 12, s->max_cycles);
    put_u32(d + 16, (uint32_t)(s->total_cycles >> 32));
    put_u32(d + 20, (uint32_t)s->total_cycles);
    put_u32(d + 24, s->link.frames_rx);
    put_u32(d + 28, s->link.frames_tx + 1u);
    put_u32(d + 32, s->link.crc_errors);
    put_u32(d + 36, s->link.length_errors);
    put_u32(d + 40, s->link.timeouts);
    put_u32(d + 44, s->link.resyncs);
    put_u32(d + 48, fw_uart_overruns());
    put_u32(d + 52, fw_uart_line_errors());
    put_u32(d + 56, s->board.core_hz);
    flags = (uint8_t)((s->board.emulated ? 1u : 0u) | (s->board.pll_locked ? 2u : 0u)
                      | (s->board.cycle_source == FW_CYCLES_DWT ? 4u : 0u));
    d[60] = flags;
    d[61] = 0u;
    n = fw_packet_build(s->pkt, sizeof s->pkt, FW_APID_STATUS, s->seq_status, now, d, sizeof d);
    s->seq_status = (uint16_t)((s->seq_status + 1u) & 0x3FFFu);
    send_packet(s, s->pkt, n);
}

static void handle(fw_state *s, size_t n, uint32_t now)
{
    uint16_t apid = fw_packet_apid(s->pkt);
    if (apid == FW_APID_PING) {
        size_t user = n - 12u - 2u; /* header, CUC, CRC */
        size_t m;
        if (n < 14u) {
            return;
        }
        /* the answer echoes the request's sequence count, as the core's do */
        m = fw_packet_build(s->resp, sizeof s->resp, FW_APID_PONG, fw_packet_seq(s->pkt), now,
                            s->pkt + 12, user);
        if (m > 0) {
            send_packet(s, s->resp, m);
        }
    } else {
        size_t m = 0;
        uint64_t t0 = fw_cycles();
        int handled = fw_dispatch(&s->dispatch, s->pkt, n, s->resp, sizeof s->resp, &m);
        uint32_t dt = (uint32_t)(fw_cycles() - t0);
        if (handled) {
            s->calls++;
            s->last_cycles = dt;
            s->total_cycles += dt;
            if (dt > s->max_cycles) {
                s->max_cycles = dt;
            }
        }
        if (m > 0) {
            send_packet(s, s->resp, m);
        }
    }
}

int main(void)
{
    fw_state *s = &g_fw;
    uint32_t last_status;
    uint8_t chunk[64];

    fw_board_init(&s->board);
    fw_watchdog_start();
    fw_rx_init(&s->rx, &s->link);
    fw_dispatch_init(&s->dispatch);
    last_status = fw_millis();
    send_status(s, last_status);
    for (;;) {
        uint32_t now;
        size_t got, n;
        fw_watchdog_kick();
        now = fw_millis();
        got = fw_uart_read(chunk, sizeof chunk);
        if (got > 0) {
            size_t off = 0;
            while (off < got) {
                off += fw_rx_feed(&s->rx, chunk + off, got - off, now);
                while ((n = fw_rx_next(&s->rx, s->pkt, sizeof s->pkt)) > 0) {
                    handle(s, n, now);
                }
            }
        } else {
            fw_rx_expire(&s->rx, now);
        }
        if ((uint32_t)(now - last_status) >= FW_STATUS_PERIOD_MS) {
            last_status = now;
            send_status(s, now);
        }
        if (got == 0) {
            fw_idle();
        }
    }
}
