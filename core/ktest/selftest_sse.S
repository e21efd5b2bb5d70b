// selftest_sse_probe(in[2], out[2], ticks): loads xmm7, takes a breakpoint
// exception and three timer interrupts, and stores xmm7 back, so the
// selftest can check that interrupt paths leave SSE state alone.
    .section .text.selftest_sse, "ax"
    .global selftest_sse_probe
selftest_sse_probe:
    movdqu (%rdi), %xmm7
    int3
    mov (%rdx), %rax
    add $3, %rax
1:  sti
    hlt
    cmp (%rdx), %rax
    ja 1b
    movdqu %xmm7, (%rsi)
    ret
