// Multiboot2 header and the 32-bit entry: checks the CPU, builds a temporary
// page table, enables PAE, long mode, NX and paging, and jumps to the higher
// half. Everything before the jump runs at physical addresses, so symbols are
// used as (symbol - KERNEL_VMA).

#include "boot/layout.h"

#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define COM1 0x3f8

// Multiboot2 specification, 3.1: the header, 8-byte aligned tags.
    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    // Entry address tag (3.1.6): the physical address of _start32.
    .balign 8
    .word 3, 0
    .long 12
    .long _start32 - KERNEL_VMA
    // Framebuffer tag (3.1.10): a linear framebuffer, 1024x768x32 preferred.
    .balign 8
    .word 5, 1                          // optional: boot on without it
    .long 20
    .long 1024, 768, 32
    // Module alignment tag (3.1.11): modules page-aligned.
    .balign 8
    .word 6, 0
    .long 8
    // End tag.
    .balign 8
    .word 0, 0
    .long 8
mb2_header_end:

    .section .boot.text, "ax"
    .code32
    .global _start32
_start32:
    cli
    cld
    mov $(boot_stack_top - KERNEL_VMA), %esp
    mov %eax, %edi                      // Multiboot2 magic
    mov %ebx, %esi                      // physical address of the boot information

    // CPUID leaf 0x80000001: long mode (EDX bit 29) and NX (EDX bit 20).
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode
    mov %edx, %ebp                      // keep the feature bits for NX below

    // Temporary tables: 0-4 GiB with 2 MiB pages, mapped at 0 (identity, for
    // the hand-over), at the direct map and (first 2 GiB) at -2 GiB.
    mov $(boot_pd - KERNEL_VMA), %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax                       // low 32 bits of the physical address
    or $0x83, %eax                      // present, writable, 2 MiB page
    mov %eax, (%ebx, %ecx, 8)
    mov %ecx, %eax
    shr $11, %eax                       // bits 32+ of (index << 21)
    mov %eax, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jb 1b

    mov $(boot_pdpt_low - KERNEL_VMA), %ebx
    mov $(boot_pd - KERNEL_VMA + 0x3), %eax
    mov %eax, 0(%ebx)
    add $0x1000, %eax
    mov %eax, 8(%ebx)
    add $0x1000, %eax
    mov %eax, 16(%ebx)
    add $0x1000, %eax
    mov %eax, 24(%ebx)

    mov $(boot_pdpt_high - KERNEL_VMA), %ebx
    mov $(boot_pd - KERNEL_VMA + 0x3), %eax
    mov %eax, 510 * 8(%ebx)
    add $0x1000, %eax
    mov %eax, 511 * 8(%ebx)

    mov $(boot_pml4 - KERNEL_VMA), %ebx
    mov $(boot_pdpt_low - KERNEL_VMA + 0x3), %eax
    mov %eax, 0(%ebx)                   // identity
    mov %eax, 256 * 8(%ebx)             // direct map at 0xffff800000000000
    mov $(boot_pdpt_high - KERNEL_VMA + 0x3), %eax
    mov %eax, 511 * 8(%ebx)             // -2 GiB
    mov %ebx, %cr3

    mov %cr4, %eax
    or $(1 << 5), %eax                  // PAE
    mov %eax, %cr4

    mov $0xc0000080, %ecx               // IA32_EFER
    rdmsr
    or $(1 << 8), %eax                  // LME
    bt $20, %ebp
    jnc 2f
    or $(1 << 11), %eax                 // NXE, when the CPU has NX
2:  wrmsr

    mov %cr0, %eax
    or $((1 << 31) | (1 << 16) | 1), %eax   // PG, WP, PE
    mov %eax, %cr0

    lgdt (boot_gdt_pointer - KERNEL_VMA)
    ljmp $0x08, $(long_mode_low - KERNEL_VMA)

no_long_mode:
    mov $(no_long_mode_message - KERNEL_VMA), %esi
3:  lodsb
    test %al, %al
    jz 5f
    mov %al, %bl
    mov $(COM1 + 5), %dx
4:  in %dx, %al                         // wait for the transmitter
    test $0x20, %al
    jz 4b
    mov %bl, %al
    mov $COM1, %dx
    out %al, %dx
    jmp 3b
5:  mov $0xf4, %dx                      // isa-debug-exit, panic code
    mov $0x12, %al
    out %al, %dx
6:  hlt
    jmp 6b

    .code64
long_mode_low:
    movabs $long_mode_high, %rax
    jmp *%rax

    .section .text.boot64, "ax"
long_mode_high:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    movabs $boot_stack_top, %rsp
    xor %ebp, %ebp                      // the end of every backtrace
    // edi = magic, esi = boot information (physical): zero-extended already.
    call kernel_early_main
7:  cli
    hlt
    jmp 7b

    .section .rodata.boot, "a"
no_long_mode_message:
    .asciz "celos: this CPU has no 64-bit long mode; cannot boot\r\n"
    .balign 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff            // 64-bit code
    .quad 0x00cf92000000ffff            // data
boot_gdt_end:
boot_gdt_pointer:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt - KERNEL_VMA

    .section .bss.boot, "aw", @nobits
    .balign 4096
boot_pml4:
    .skip 4096
boot_pdpt_low:
    .skip 4096
boot_pdpt_high:
    .skip 4096
boot_pd:
    .skip 4 * 4096
    .global boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    .skip 16384
boot_stack_top:
