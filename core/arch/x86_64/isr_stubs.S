// Interrupt entry stubs: one per vector, pushing a zero error code where the
// CPU pushes none, then a common path that saves the general registers and
// calls interrupt_dispatch(frame). SSE state is never touched here.

// Vectors whose exceptions push an error code (SDM vol. 3, table 6-1).
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

    .section .text.isr, "ax"
    .code64

.macro ISR_STUB vector
    .balign 16
isr_stub_\vector:
    .if !((\vector == 8) || ((\vector >= 10) && (\vector <= 14)) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30))
    pushq $0
    .endif
    pushq $\vector
    jmp isr_common
.endm

isr_common:
    cld
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    // A frame record so backtraces through the handler reach the
    // interrupted code: [saved rbp, return address = interrupted rip].
    pushq 17 * 8(%rdi)                  // rip
    pushq 8 * 8(%rdi)                   // rbp
    mov %rsp, %rbp
    mov %rsp, %rbx
    and $-16, %rsp                      // the ABI's stack alignment
    call interrupt_dispatch
    mov %rbx, %rsp
    add $16, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp                       // vector and error code
    iretq

.altmacro
.macro ISR_STUBS from, to
    ISR_STUB %from
    .if \to-\from
    ISR_STUBS %(from+1), \to
    .endif
.endm
    ISR_STUBS 0, 47
    ISR_STUB 255

.macro STUB_ADDRESS vector
    .quad isr_stub_\vector
.endm
.macro STUB_ADDRESSES from, to
    STUB_ADDRESS %from
    .if \to-\from
    STUB_ADDRESSES %(from+1), \to
    .endif
.endm

    .section .rodata.isr, "a"
    .balign 8
    .global isr_stub_table, isr_stub_spurious
isr_stub_table:
    STUB_ADDRESSES 0, 47
isr_stub_spurious:
    .quad isr_stub_255
