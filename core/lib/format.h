// printf-style formatting into a bounded buffer, with no allocation.
// Supports %d %i %u %x %X %o %p %s %c %% with flags '-', '0', ' ', '+', '#',
// a width and precision (also '*'), and the length modifiers hh h l ll z t j.
#pragma once

#include <stdarg.h>

#include "lib/types.h"

namespace celos {

// Writes at most size-1 characters and a NUL (when size > 0). Returns the
// length the full output would have, like vsnprintf.
usize vformat(char* buf, usize size, const char* fmt, va_list args);
usize format(char* buf, usize size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

} // namespace celos
