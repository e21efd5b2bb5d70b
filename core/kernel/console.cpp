#include "kernel/console.h"

#include "arch/x86_64/serial.h"
#include "lib/irq.h"
#include "log/log.h"
#include "module/resources.h"

namespace celos {
namespace {

constexpr usize kMaxConsoles = 4;
const celos_console_ops* consoles[kMaxConsoles];
struct Size {
    u32 columns, rows; // 0: not said
};
Size sizes[kMaxConsoles];

void release_console(int, u64 console, u64) {
    IrqGuard guard;
    for (usize i = 0; i < kMaxConsoles; ++i)
        if (consoles[i] == reinterpret_cast<const celos_console_ops*>(console)) {
            consoles[i] = nullptr;
            sizes[i] = Size{0, 0};
        }
}

} // namespace

Result<void> console_register(int owner, const celos_console_ops* console) {
    if (!console || !console->write || !console->scroll) return make_error(Status::invalid, "no write or scroll");
    IrqGuard guard;
    for (auto* c : consoles)
        if (c == console) return make_error(Status::exists, "registered already");
    for (auto*& c : consoles) {
        if (c) continue;
        if (!resource_add(owner, ResourceKind::console, reinterpret_cast<u64>(console), 0, release_console))
            return make_error(Status::no_memory, "the resource table is full");
        c = console;
        sizes[&c - consoles] = Size{0, 0};
        return {};
    }
    return make_error(Status::no_memory, "every console slot is taken");
}

Result<void> console_set_size(const celos_console_ops* console, u32 columns, u32 rows) {
    if (columns == 0 || rows == 0 || columns > 65535 || rows > 65535)
        return make_error(Status::invalid, "a console size of 0 or above 65535");
    IrqGuard guard;
    for (usize i = 0; i < kMaxConsoles; ++i) {
        if (!console || consoles[i] != console) continue;
        sizes[i] = Size{columns, rows};
        return {};
    }
    return make_error(Status::not_found, "not a registered console");
}

bool console_size(u32& columns, u32& rows) {
    IrqGuard guard;
    bool any = false;
    for (usize i = 0; i < kMaxConsoles; ++i) {
        if (!consoles[i] || sizes[i].columns == 0) continue;
        if (!any || sizes[i].columns < columns) columns = sizes[i].columns;
        if (!any || sizes[i].rows < rows) rows = sizes[i].rows;
        any = true;
    }
    return any;
}

Result<void> console_unregister(const celos_console_ops* console) {
    IrqGuard guard;
    if (!resource_remove(ResourceKind::console, reinterpret_cast<u64>(console), nullptr))
        return make_error(Status::not_found, "not a registered console");
    release_console(-1, reinterpret_cast<u64>(console), 0);
    return {};
}

void console_write(const char* data, usize length) {
    if (!data || length == 0) return;
    IrqGuard guard;
    x86_64::serial_sink().write(data, length);
    for (auto* c : consoles)
        if (c) c->write(c->context, data, length);
    log_note_output();
}

void console_scroll(i32 lines) {
    IrqGuard guard;
    for (auto* c : consoles)
        if (c) c->scroll(c->context, lines);
}

void console_note_serial(const char* text) {
    usize n = 0;
    while (text[n]) ++n;
    x86_64::serial_sink().write(text, n);
}

bool console_any() {
    for (auto* c : consoles)
        if (c) return true;
    return false;
}

} // namespace celos
