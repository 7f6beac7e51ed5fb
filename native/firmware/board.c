/*
 * board.c - STM32F4 board support (see board.h).
 *
 * Every wait on a hardware flag is bounded: QEMU's RCC reads 0, so a clock
 * that never reports ready falls back to the 16 MHz HSI instead of hanging.
 * The firmware's only mutable globals are here (interrupt-shared state);
 * the guidance core itself keeps none.
 */
#include "board.h"

#include "stm32f4.h"

#define SPIN_LIMIT 200000u
#define HSI_HZ 16000000u
#define PLL_HZ 84000000u
#define QEMU_CORE_HZ 168000000u /* netduinoplus2's fixed SYSCLK */

static volatile uint32_t g_millis;
static volatile uint32_t g_rx_head;
static volatile uint32_t g_rx_tail;
static volatile uint32_t g_rx_overruns;
static volatile uint32_t g_rx_line_errors;
static uint8_t g_rx_ring[FW_RX_RING];
static uint32_t g_systick_reload;
static uint8_t g_cycle_source;

static int wait_set(volatile uint32_t *reg, uint32_t mask, uint32_t value)
{
    uint32_t n;
    for (n = 0; n < SPIN_LIMIT; ++n) {
        if ((*reg & mask) == value) {
            return 1;
        }
    }
    return 0;
}

static void clock_init(fw_board *b)
{
    b->core_hz = HSI_HZ;
    b->pclk1_hz = HSI_HZ;
    b->pll_locked = 0;
    b->emulated = (RCC_CR == 0u); /* on silicon HSION/HSIRDY read 1 after reset */
    if (b->emulated) {
        b->core_hz = QEMU_CORE_HZ;
        b->pclk1_hz = QEMU_CORE_HZ / 4u;
        return;
    }
    RCC_APB1ENR |= RCC_APB1ENR_PWREN;
    /* 84 MHz needs 2 wait states at 2.7-3.6 V on F401/F411/F446 */
    FLASH_ACR = FLASH_ACR_LATENCY_2WS | FLASH_ACR_PRFTEN | FLASH_ACR_ICEN | FLASH_ACR_DCEN;
    /* HSI 16 MHz / M=16 * N=336 / P=4 = 84 MHz; Q=7; bits 28-31 (PLLR on
     * the F446, reserved elsewhere) keep their reset value */
    RCC_PLLCFGR = (RCC_PLLCFGR & 0xF0000000u) | 16u | (336u << 6) | (1u << 16) | (7u << 24);
    RCC_CR |= RCC_CR_PLLON;
    if (!wait_set(&RCC_CR, RCC_CR_PLLRDY, RCC_CR_PLLRDY)) {
        RCC_CR &= ~RCC_CR_PLLON;
        return;
    }
    RCC_CFGR = RCC_CFGR_PPRE1_DIV2 | RCC_CFGR_SW_PLL; /* APB1 = 42 MHz (max 42-50) */
    if (!wait_set(&RCC_CFGR, RCC_CFGR_SWS_MASK, RCC_CFGR_SWS_PLL)) {
        RCC_CFGR = 0u;
        return;
    }
    b->pll_locked = 1;
    b->core_hz = PLL_HZ;
    b->pclk1_hz = PLL_HZ / 2u;
}

static void timers_init(fw_board *b)
{
    g_systick_reload = b->core_hz / 1000u - 1u;
    SYST_RVR = g_systick_reload;
    SYST_CVR = 0u;
    SYST_CSR = 7u; /* core clock, interrupt, enable */
    DEMCR |= DEMCR_TRCENA;
    DWT_LAR = 0xC5ACCE55u;
    DWT_CYCCNT = 0u;
    DWT_CTRL |= 1u;
    /* does the cycle counter run? (it reads 0 under QEMU) */
    {
        volatile uint32_t spin;
        uint32_t c0 = DWT_CYCCNT;
        for (spin = 0; spin < 100u; ++spin) {
        }
        g_cycle_source = (DWT_CYCCNT != c0) ? FW_CYCLES_DWT : FW_CYCLES_SYSTICK;
    }
    b->cycle_source = g_cycle_source;
}

static void usart2_init(const fw_board *b)
{
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN;
    RCC_APB1ENR |= RCC_APB1ENR_USART2EN;
    (void)RCC_APB1ENR; /* a read after enabling a clock, per the errata */
    /* PA2, PA3: alternate function 7, high speed, pull-up on RX */
    GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 4)) | (0xAu << 4);
    GPIOA_OSPEEDR |= (0xFu << 4);
    GPIOA_PUPDR = (GPIOA_PUPDR & ~(0xFu << 4)) | (0x4u << 4);
    GPIOA_AFRL = (GPIOA_AFRL & ~(0xFFu << 8)) | (0x77u << 8);
    USART2_BRR = (b->pclk1_hz + FW_BAUD / 2u) / FW_BAUD; /* oversampling by 16 */
    USART2_CR2 = 0u;
    USART2_CR3 = 0u;
    USART2_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;
    NVIC_IPR_BYTE(USART2_IRQN) = 0x40u;
    NVIC_ISER(USART2_IRQN / 32u) = 1u << (USART2_IRQN % 32u);
}

void fw_board_init(fw_board *b)
{
    clock_init(b);
    timers_init(b);
    usart2_init(b);
}

void fw_watchdog_start(void)
{
    /* LSI ~32 kHz / 64 = 500 Hz; 1000 counts = about 2 s */
    RCC_CSR |= RCC_CSR_LSION;
    IWDG_KR = 0x5555u;
    IWDG_PR = 4u;
    IWDG_RLR = 1000u;
    (void)wait_set(&IWDG_SR, 3u, 0u);
    IWDG_KR = 0xCCCCu;
    IWDG_KR = 0xAAAAu;
}

void fw_watchdog_kick(void)
{
    IWDG_KR = 0xAAAAu;
}

void fw_systick_handler(void)
{
    g_millis = g_millis + 1u;
}

uint32_t fw_millis(void)
{
    return g_millis;
}

uint64_t fw_cycles(void)
{
    static uint32_t last_lo, hi; /* DWT extension to 64 bits (main loop only) */
    if (g_cycle_source == FW_CYCLES_DWT) {
        uint32_t now = DWT_CYCCNT;
        if (now < last_lo) {
            ++hi;
        }
        last_lo = now;
        return ((uint64_t)hi << 32) | now;
    } else {
        uint32_t ms, val;
        __asm__ volatile("cpsid i" ::: "memory");
        ms = g_millis;
        val = SYST_CVR;
        if (SCB_ICSR & SCB_ICSR_PENDSTSET) { /* wrapped, tick not yet counted */
            val = SYST_CVR;
            ++ms;
        }
        __asm__ volatile("cpsie i" ::: "memory");
        return (uint64_t)ms * (g_systick_reload + 1u) + (g_systick_reload - val);
    }
}

void fw_usart2_handler(void)
{
    uint32_t sr = USART2_SR;
    if (sr & (USART_SR_FE | USART_SR_NF)) {
        g_rx_line_errors = g_rx_line_errors + 1u;
    }
    if (sr & USART_SR_ORE) {
        g_rx_overruns = g_rx_overruns + 1u;
    }
    if (sr & (USART_SR_RXNE | USART_SR_ORE)) {
        uint8_t byte = (uint8_t)USART2_DR; /* clears RXNE (and ORE after the SR read) */
        uint32_t head = g_rx_head;
        if (head - g_rx_tail < FW_RX_RING) {
            g_rx_ring[head & (FW_RX_RING - 1u)] = byte;
            g_rx_head = head + 1u;
        } else {
            g_rx_overruns = g_rx_overruns + 1u;
        }
    }
}

size_t fw_uart_read(uint8_t *dst, size_t cap)
{
    size_t n = 0;
    uint32_t tail = g_rx_tail;
    uint32_t head = g_rx_head;
    while (tail != head && n < cap) {
        dst[n++] = g_rx_ring[tail & (FW_RX_RING - 1u)];
        ++tail;
    }
    g_rx_tail = tail;
    return n;
}

uint32_t fw_uart_overruns(void)
{
    return g_rx_overruns;
}

uint32_t fw_uart_line_errors(void)
{
    return g_rx_line_errors;
}

void fw_uart_write(const uint8_t *src, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i) {
        (void)wait_set(&USART2_SR, USART_SR_TXE, USART_SR_TXE);
        USART2_DR = src[i];
    }
}

void fw_idle(void)
{
    __asm__ volatile("cpsid i" ::: "memory");
    if (g_rx_head == g_rx_tail) {
        __asm__ volatile("wfi" ::: "memory"); /* wakes on a pending interrupt */
    }
    __asm__ volatile("cpsie i" ::: "memory");
}
