// The operand of LGDT and LIDT (SDM vol. 3, 3.5.1 and 6.10).
#pragma once

#include "lib/types.h"

namespace celos::x86_64 {

struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};

} // namespace celos::x86_64
