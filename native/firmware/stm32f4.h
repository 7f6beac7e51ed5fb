/*
 * stm32f4.h - the few STM32F4 / Cortex-M4 registers the firmware touches.
 *
 * Addresses from RM0368 (F401), RM0383 (F411), RM0390 (F446) and the ARMv7-M
 * architecture reference manual; they are the same on the STM32F405 that
 * QEMU's netduinoplus2 machine models.
 */
#ifndef FW_STM32F4_H
#define FW_STM32F4_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

/* ---- Reset and clock control ------------------------------------------- */
#define RCC_BASE 0x40023800u
#define RCC_CR REG32(RCC_BASE + 0x00u)
#define RCC_PLLCFGR REG32(RCC_BASE + 0x04u)
#define RCC_CFGR REG32(RCC_BASE + 0x08u)
#define RCC_AHB1ENR REG32(RCC_BASE + 0x30u)
#define RCC_APB1ENR REG32(RCC_BASE + 0x40u)
#define RCC_CSR REG32(RCC_BASE + 0x74u)
#define RCC_CR_HSION (1u << 0)
#define RCC_CR_HSIRDY (1u << 1)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
#define RCC_CFGR_SW_PLL 2u
#define RCC_CFGR_SWS_MASK (3u << 2)
#define RCC_CFGR_SWS_PLL (2u << 2)
#define RCC_CFGR_PPRE1_DIV2 (4u << 10)
#define RCC_AHB1ENR_GPIOAEN (1u << 0)
#define RCC_APB1ENR_USART2EN (1u << 17)
#define RCC_APB1ENR_PWREN (1u << 28)
#define RCC_CSR_LSION (1u << 0)

/* ---- Flash interface ----------------------------------------------------- */
#define FLASH_ACR REG32(0x40023C00u)
#define FLASH_ACR_LATENCY_2WS 2u
#define FLASH_ACR_PRFTEN (1u << 8)
#define FLASH_ACR_ICEN (1u << 9)
#define FLASH_ACR_DCEN (1u << 10)

/* ---- GPIOA (PA2 = USART2_TX, PA3 = USART2_RX, alternate function 7) ------ */
#define GPIOA_BASE 0x40020000u
#define GPIOA_MODER REG32(GPIOA_BASE + 0x00u)
#define GPIOA_OSPEEDR REG32(GPIOA_BASE + 0x08u)
#define GPIOA_PUPDR REG32(GPIOA_BASE + 0x0Cu)
#define GPIOA_AFRL REG32(GPIOA_BASE + 0x20u)

/* ---- USART2 -------------------------------------------------------------- */
#define USART2_BASE 0x40004400u
#define USART2_SR REG32(USART2_BASE + 0x00u)
#define USART2_DR REG32(USART2_BASE + 0x04u)
#define USART2_BRR REG32(USART2_BASE + 0x08u)
#define USART2_CR1 REG32(USART2_BASE + 0x0Cu)
#define USART2_CR2 REG32(USART2_BASE + 0x10u)
#define USART2_CR3 REG32(USART2_BASE + 0x14u)
#define USART_SR_ORE (1u << 3)
#define USART_SR_NF (1u << 2)
#define USART_SR_FE (1u << 1)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TXE (1u << 7)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_UE (1u << 13)
#define USART2_IRQN 38u

/* ---- Independent watchdog ------------------------------------------------ */
#define IWDG_BASE 0x40003000u
#define IWDG_KR REG32(IWDG_BASE + 0x00u)
#define IWDG_PR REG32(IWDG_BASE + 0x04u)
#define IWDG_RLR REG32(IWDG_BASE + 0x08u)
#define IWDG_SR REG32(IWDG_BASE + 0x0Cu)

/* ---- Cortex-M4 system control space -------------------------------------- */
#define SCB_ICSR REG32(0xE000ED04u)
#define SCB_ICSR_PENDSTSET (1u << 26)
#define SCB_VTOR REG32(0xE000ED08u)
#define SCB_CPACR REG32(0xE000ED88u)
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define NVIC_ISER(n) REG32(0xE000E100u + 4u * (n))
#define NVIC_IPR_BYTE(n) (*(volatile uint8_t *)(0xE000E400u + (n)))
#define DEMCR REG32(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL REG32(0xE0001000u)
#define DWT_CYCCNT REG32(0xE0001004u)
#define DWT_LAR REG32(0xE0001FB0u)

#endif /* FW_STM32F4_H */
