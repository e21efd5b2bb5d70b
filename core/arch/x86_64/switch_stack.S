// switch_stack_and_call(stack_top, fn): runs fn on a new stack; fn never
// returns. rbp is cleared so backtraces end at fn.
    .section .text.switch_stack, "ax"
    .global switch_stack_and_call
switch_stack_and_call:
    mov %rdi, %rsp
    xor %ebp, %ebp
    call *%rsi
1:  cli
    hlt
    jmp 1b
