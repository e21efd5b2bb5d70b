// A recovery point for calls into code that may fault (a module's init):
//   recovery_call(point, fn) saves the callee-saved registers, the stack
//   pointer and RFLAGS in *point, calls fn() and returns its value;
//   recovery_resume(point, value) goes back to that call from anywhere
//   deeper on any stack (a fault handler, a module's own stack): the saved
//   registers, stack and RFLAGS (so the interrupt flag) come back, and
//   recovery_call returns `value`.
// struct RecoveryPoint { rbx, rbp, r12, r13, r14, r15, rsp, rflags } (8 x 8 bytes).
// recovery_call has call frame information (in .debug_frame, like the C++
// code's), so that a debugger unwinds from fn through it to its caller.
    .cfi_sections .debug_frame
    .section .text.recovery, "ax"
    .global recovery_call, recovery_resume

recovery_call:
    .cfi_startproc
    mov %rbx, 0(%rdi)
    mov %rbp, 8(%rdi)
    mov %r12, 16(%rdi)
    mov %r13, 24(%rdi)
    mov %r14, 32(%rdi)
    mov %r15, 40(%rdi)
    pushfq
    .cfi_adjust_cfa_offset 8
    popq 56(%rdi)
    .cfi_adjust_cfa_offset -8
    push %rbp                           // a frame record, so backtraces from fn reach our caller
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbp, 0
    mov %rsp, %rbp
    .cfi_def_cfa_register %rbp
    mov %rsp, 48(%rdi)                  // rsp at this frame: [saved rbp][return address]
    call *%rsi
    pop %rbp
    .cfi_def_cfa %rsp, 8
    .cfi_restore %rbp
    ret
    .cfi_endproc

recovery_resume:
    cli
    mov 48(%rdi), %rsp
    mov 0(%rdi), %rbx
    mov 16(%rdi), %r12
    mov 24(%rdi), %r13
    mov 32(%rdi), %r14
    mov 40(%rdi), %r15
    mov %rsi, %rax
    pushq 56(%rdi)
    popfq                               // the caller's interrupt flag again
    pop %rbp                            // the rbp recovery_call saved
    ret
