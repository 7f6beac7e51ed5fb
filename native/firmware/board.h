/*
 * board.h - board support for the STM32F4 guidance-core firmware: clocks,
 * SysTick millisecond time, DWT cycle counter, independent watchdog and the
 * USART2 driver (interrupt-driven receive into a ring buffer, blocking
 * transmit).
 */
#ifndef FW_BOARD_H
#define FW_BOARD_H

#include <stddef.h>
#include <stdint.h>

#define FW_BAUD 115200u
#define FW_RX_RING 4096u /* power of two: two largest requests */

/* Where the per-call cycle counts come from. */
enum fw_cycle_source {
    FW_CYCLES_DWT = 0,    /* the DWT cycle counter (real silicon) */
    FW_CYCLES_SYSTICK = 1 /* SysTick ticks at the core clock (QEMU: DWT reads 0) */
};

typedef struct fw_board {
    uint32_t core_hz;      /* core clock the firmware runs at */
    uint32_t pclk1_hz;     /* APB1 clock (USART2) */
    uint8_t emulated;      /* RCC reads 0: QEMU, clock fixed by the machine */
    uint8_t pll_locked;    /* the PLL came up within its bounded wait */
    uint8_t cycle_source;  /* enum fw_cycle_source */
} fw_board;

/* Clock tree (HSI -> PLL 84 MHz, bounded waits, HSI 16 MHz fallback),
 * SysTick at 1 kHz, DWT, GPIOA/USART2. Fills *b. */
void fw_board_init(fw_board *b);

/* Watchdog: start (about 2 s timeout) and kick. No-ops under QEMU. */
void fw_watchdog_start(void);
void fw_watchdog_kick(void);

/* Milliseconds since boot (SysTick). */
uint32_t fw_millis(void);

/* A free-running 64-bit cycle count (DWT, or SysTick at the core clock). */
uint64_t fw_cycles(void);

/* Receive: bytes the interrupt handler queued; returns the count copied. */
size_t fw_uart_read(uint8_t *dst, size_t cap);
/* Receive-side error counts kept by the interrupt handler. */
uint32_t fw_uart_overruns(void);   /* hardware overrun or ring full: bytes lost */
uint32_t fw_uart_line_errors(void);/* framing/noise errors flagged by the USART */
/* Transmit n bytes (blocking, each wait bounded). */
void fw_uart_write(const uint8_t *src, size_t n);

/* Sleep until the next interrupt, unless one is already pending work. */
void fw_idle(void);

#endif /* FW_BOARD_H */
