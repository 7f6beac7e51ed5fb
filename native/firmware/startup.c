/*
 * startup.c - vector table and reset handler for the STM32F4 (Cortex-M4F).
 *
 * Reset: enable the FPU (CP10/CP11 full access) before any floating-point
 * code runs, copy .data from flash, zero .bss, point VTOR at the table and
 * call main(). Unused interrupts land in fw_default_handler; faults call
 * fw_fault(), which the firmware loops in (the watchdog resets the board) and
 * the semihosted unit tests override to report the fault as a failure.
 */
#include <stdint.h>

#include "stm32f4.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern int main(void);

void fw_reset_handler(void);
void fw_default_handler(void);
void fw_fault_handler(void);
void fw_fault(uint32_t cause);
void fw_systick_handler(void) __attribute__((weak, alias("fw_default_handler")));
void fw_usart2_handler(void) __attribute__((weak, alias("fw_default_handler")));

#define FW_N_IRQ 97u /* STM32F446: 97 interrupt lines; F401/F411/F405 use fewer */

typedef void (*fw_vector)(void);

__attribute__((section(".isr_vector"), used)) const fw_vector fw_vectors[16u + FW_N_IRQ] = {
    [0] = (fw_vector)(uintptr_t)&_estack,
    [1] = fw_reset_handler,
    [2] = fw_fault_handler, /* NMI */
    [3] = fw_fault_handler, /* HardFault */
    [4] = fw_fault_handler, /* MemManage */
    [5] = fw_fault_handler, /* BusFault */
    [6] = fw_fault_handler, /* UsageFault */
    [11] = fw_default_handler, /* SVCall */
    [12] = fw_default_handler, /* DebugMon */
    [14] = fw_default_handler, /* PendSV */
    [15] = fw_systick_handler,
    [16u + USART2_IRQN] = fw_usart2_handler,
};

void fw_reset_handler(void)
{
    uint32_t *src = &_sidata;
    uint32_t *dst;

    SCB_CPACR |= (0xFu << 20); /* CP10, CP11: full access */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    for (dst = &_sdata; dst < &_edata;) {
        *dst++ = *src++;
    }
    for (dst = &_sbss; dst < &_ebss;) {
        *dst++ = 0u;
    }
    SCB_VTOR = (uint32_t)(uintptr_t)fw_vectors;
    (void)main();
    for (;;) {
        __asm__ volatile("wfi");
    }
}

void fw_default_handler(void)
{
    fw_fault(0u);
}

void fw_fault_handler(void)
{
    fw_fault(1u);
}

__attribute__((weak)) void fw_fault(uint32_t cause)
{
    (void)cause;
    for (;;) {
        /* wait for the watchdog */
    }
}
