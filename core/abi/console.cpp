// <celos/console.h>: consoles and the output of programs.

#include <celos/abi.h>
#include <celos/console.h>

#include "abi/caller.h"
#include "kernel/console.h"

using namespace celos;

extern "C" {

celos_status celos_console_register(const struct celos_console_ops* console) {
    auto r = console_register(CALLER_MODULE(), console);
    return r.ok() ? CELOS_OK : static_cast<celos_status>(r.error().status);
}

celos_status celos_console_unregister(const struct celos_console_ops* console) {
    auto r = console_unregister(console);
    return r.ok() ? CELOS_OK : static_cast<celos_status>(r.error().status);
}

celos_status celos_console_set_size(const struct celos_console_ops* console, uint32_t columns, uint32_t rows) {
    auto r = console_set_size(console, columns, rows);
    return r.ok() ? CELOS_OK : static_cast<celos_status>(r.error().status);
}

celos_status celos_console_size(uint32_t* columns, uint32_t* rows) {
    u32 c = 0, r = 0;
    if (!console_size(c, r)) return CELOS_ERR_NOT_FOUND;
    if (columns) *columns = c;
    if (rows) *rows = r;
    return CELOS_OK;
}

void celos_console_write(const char* data, size_t length) {
    console_write(data, length);
}

void celos_console_scroll(int32_t lines) {
    console_scroll(lines);
}

} // extern "C"

CELOS_EXPORT(celos_console_register);
CELOS_EXPORT(celos_console_unregister);
CELOS_EXPORT(celos_console_write);
CELOS_EXPORT(celos_console_scroll);
CELOS_EXPORT(celos_console_set_size);
CELOS_EXPORT(celos_console_size);
