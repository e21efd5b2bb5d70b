// The truetype module's assembly (System V x86_64).
//
// setjmp/longjmp for FreeType (celos_ft/ftstdlib.h): the callee-saved
// registers rbx, rbp, r12-r15, the stack pointer after return and the
// return address, in that order, in an array of 8 quadwords. No SSE or x87
// state: the ABI has no callee-saved vector registers.
//
// celos_ft_call_on_stack: FreeType is written for hosted stacks (the
// auto-hinter alone keeps about 50 KiB of locals in one frame), more than
// the kernel stack holds, so the module runs every FreeType call on a stack
// of its own.
    .text

// void* celos_ft_call_on_stack(void* (*fn)(void*), void* arg, void* stack_top)
// Calls fn(arg) with rsp at stack_top (rounded down to 16 bytes) and returns
// its result. rbp stays the caller's frame, so backtraces walk through.
    .globl celos_ft_call_on_stack
    .type celos_ft_call_on_stack, @function
celos_ft_call_on_stack:
    push %rbp
    mov %rsp, %rbp
    and $-16, %rdx
    mov %rdx, %rsp
    mov %rdi, %rax
    mov %rsi, %rdi
    call *%rax              // rsp is 16-byte aligned here, as the ABI wants
    mov %rbp, %rsp          // rbp is callee-saved: back to the caller's stack
    pop %rbp
    ret
    .size celos_ft_call_on_stack, . - celos_ft_call_on_stack

    .globl celos_ft_setjmp
    .type celos_ft_setjmp, @function
celos_ft_setjmp:
    mov %rbx, 0(%rdi)
    mov %rbp, 8(%rdi)
    mov %r12, 16(%rdi)
    mov %r13, 24(%rdi)
    mov %r14, 32(%rdi)
    mov %r15, 40(%rdi)
    lea 8(%rsp), %rdx       // rsp as it will be after setjmp returns
    mov %rdx, 48(%rdi)
    mov (%rsp), %rdx        // the return address
    mov %rdx, 56(%rdi)
    xor %eax, %eax
    ret
    .size celos_ft_setjmp, . - celos_ft_setjmp

    .globl celos_ft_longjmp
    .type celos_ft_longjmp, @function
celos_ft_longjmp:
    mov %esi, %eax
    test %eax, %eax
    jnz 1f
    inc %eax                // longjmp(env, 0) makes setjmp return 1
1:  mov 0(%rdi), %rbx
    mov 8(%rdi), %rbp
    mov 16(%rdi), %r12
    mov 24(%rdi), %r13
    mov 32(%rdi), %r14
    mov 40(%rdi), %r15
    mov 48(%rdi), %rsp
    jmp *56(%rdi)
    .size celos_ft_longjmp, . - celos_ft_longjmp

    .section .note.GNU-stack, "", @progbits
