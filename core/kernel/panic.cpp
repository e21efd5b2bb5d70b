#include "kernel/panic.h"

#include <stdarg.h>

#include "arch/cpu.h"
#include "kernel/boot_screen.h"
#include "kernel/console.h"
#include "kernel/kernel.h"
#include "kernel/fault.h"
#include "kernel/symbolize.h"
#include "kernel/taint.h"
#include "lib/assert.h"
#include "lib/format.h"
#include "lib/irq.h"
#include "log/log.h"

namespace celos {
namespace {

bool panicking = false;

} // namespace

void panic_begin() {
    irq_save();
    if (panicking) {
        log_error("PANIC while reporting a panic; stopping");
        log_flush();
        arch::exit_machine(arch::ExitCode::panic);
    }
    panicking = true;
}

// panic=wait: the report stays on screen and the keyboard pages the
// console's scrollback (polled: interrupts stay off).
[[noreturn]] void wait_paging() {
    log_error("celos: panic=wait: PgUp/PgDn and Up/Down page the console's scrollback");
    log_flush();
    for (;;) {
        // Each key is noted on serial only (the consoles would take a line
        // as output and return to the bottom).
        switch (arch::poll_paging_key()) {
        case arch::PagingKey::page_back:
            console_scroll(CELOS_CONSOLE_PAGE_BACK);
            console_note_serial("celos: panic view: a page back\n");
            break;
        case arch::PagingKey::page_forward:
            console_scroll(CELOS_CONSOLE_PAGE_FORWARD);
            console_note_serial("celos: panic view: a page forward\n");
            break;
        case arch::PagingKey::line_back:
            console_scroll(1);
            console_note_serial("celos: panic view: a line back\n");
            break;
        case arch::PagingKey::line_forward:
            console_scroll(-1);
            console_note_serial("celos: panic view: a line forward\n");
            break;
        case arch::PagingKey::none: asm volatile("pause"); break;
        }
    }
}

void panic_end() {
    boot_screen_set_state(BootState::panic);
    if (kernel_tainted()) {
        char why[200];
        taint_describe(why, sizeof why);
        log_error("  kernel tainted: %s", why);
    }
    if (kernel().options.panic == StringView("wait") && console_any()) wait_paging();
    log_error("celos: panic, stopping the machine");
    log_flush();
    arch::exit_machine(arch::ExitCode::panic);
}

void panic(const char* fmt, ...) {
    char message[256];
    va_list args;
    va_start(args, fmt);
    vformat(message, sizeof message, fmt, args);
    va_end(args);
    // The core's own panic: never recovered, whoever called.
    const u64 frame = reinterpret_cast<u64>(__builtin_frame_address(0));
    fault_handle({FaultKind::panic, message, reinterpret_cast<u64>(__builtin_return_address(0)), false,
                  log_backtrace_from, &frame});
}

void log_backtrace_from(const void* frame) { log_backtrace(*static_cast<const u64*>(frame), 32); }

void assertion_failed(const char* expr, const char* file, int line) {
    panic("assertion failed: %s (%s:%d)", expr, file, line);
}

} // namespace celos
