// The ABI struct layouts checked by C++20 (the numbers are in layout.c), and
// the structs usable as plain C data from C++: standard layout, trivially
// copyable. (Compiler builtins: the test is freestanding, without <type_traits>.)
#include "layout.c"

#define LAYOUT_PLAIN(type)                                                                                   \
    static_assert(__is_standard_layout(type) && __is_trivially_copyable(type), #type " is plain C data")

LAYOUT_PLAIN(celos_module_param);
LAYOUT_PLAIN(celos_module_descriptor);
LAYOUT_PLAIN(celos_export);
LAYOUT_PLAIN(celos_framebuffer);
