/* The layout of every ABI struct as x86_64 SysV gives it: a module and the
   core built by different compilers (or languages) must agree byte for
   byte. layout.cpp includes this file, so C11 and C++20 check the same
   numbers. A change here is an ABI change (CELOS_ABI_VERSION_MAJOR). */
#include <celos/abi.h>
#include <celos/font.h>

#ifdef __cplusplus
#define LAYOUT_ALIGNOF(type) alignof(type)
#else
#define LAYOUT_ALIGNOF(type) _Alignof(type)
#endif
#define LAYOUT_SIZE(type, size, align)                                                                       \
    CELOS_STATIC_ASSERT(sizeof(type) == (size), "sizeof(" #type ")");                                        \
    CELOS_STATIC_ASSERT(LAYOUT_ALIGNOF(type) == (align), "alignof(" #type ")")
#define LAYOUT_FIELD(type, field, offset, size)                                                              \
    CELOS_STATIC_ASSERT(offsetof(type, field) == (offset), "offsetof(" #type ", " #field ")");               \
    CELOS_STATIC_ASSERT(sizeof(((type*)0)->field) == (size), "sizeof(" #type "." #field ")")

/* Scalars the structs are made of. */
LAYOUT_SIZE(celos_status, 4, 4);
LAYOUT_SIZE(void*, 8, 8);
LAYOUT_SIZE(size_t, 8, 8);
LAYOUT_SIZE(uint64_t, 8, 8);

LAYOUT_SIZE(struct celos_module_param, 48, 8);
LAYOUT_FIELD(struct celos_module_param, name, 0, 24);
LAYOUT_FIELD(struct celos_module_param, type, 24, 4);
LAYOUT_FIELD(struct celos_module_param, size, 28, 4);
LAYOUT_FIELD(struct celos_module_param, value, 32, 8);
LAYOUT_FIELD(struct celos_module_param, description, 40, 8);

LAYOUT_SIZE(struct celos_module_descriptor, 216, 8);
LAYOUT_FIELD(struct celos_module_descriptor, magic, 0, 4);
LAYOUT_FIELD(struct celos_module_descriptor, abi_major, 4, 2);
LAYOUT_FIELD(struct celos_module_descriptor, abi_minor, 6, 2);
LAYOUT_FIELD(struct celos_module_descriptor, name, 8, 32);
LAYOUT_FIELD(struct celos_module_descriptor, version, 40, 16);
LAYOUT_FIELD(struct celos_module_descriptor, depends, 56, 128);
LAYOUT_FIELD(struct celos_module_descriptor, init, 184, 8);
LAYOUT_FIELD(struct celos_module_descriptor, exit, 192, 8);
LAYOUT_FIELD(struct celos_module_descriptor, params, 200, 8);
LAYOUT_FIELD(struct celos_module_descriptor, param_count, 208, 4);
LAYOUT_FIELD(struct celos_module_descriptor, reserved, 212, 4);

LAYOUT_SIZE(struct celos_export, 16, 8);
LAYOUT_FIELD(struct celos_export, name, 0, 8);
LAYOUT_FIELD(struct celos_export, address, 8, 8);

LAYOUT_SIZE(struct celos_framebuffer, 40, 8);
LAYOUT_FIELD(struct celos_framebuffer, pixels, 0, 8);
LAYOUT_FIELD(struct celos_framebuffer, physical, 8, 8);
LAYOUT_FIELD(struct celos_framebuffer, width, 16, 4);
LAYOUT_FIELD(struct celos_framebuffer, height, 20, 4);
LAYOUT_FIELD(struct celos_framebuffer, pitch, 24, 4);
LAYOUT_FIELD(struct celos_framebuffer, bpp, 28, 1);
LAYOUT_FIELD(struct celos_framebuffer, red_position, 29, 1);
LAYOUT_FIELD(struct celos_framebuffer, red_size, 30, 1);
LAYOUT_FIELD(struct celos_framebuffer, green_position, 31, 1);
LAYOUT_FIELD(struct celos_framebuffer, green_size, 32, 1);
LAYOUT_FIELD(struct celos_framebuffer, blue_position, 33, 1);
LAYOUT_FIELD(struct celos_framebuffer, blue_size, 34, 1);
LAYOUT_FIELD(struct celos_framebuffer, reserved, 35, 1);

LAYOUT_SIZE(struct celos_font_control_ops, 16, 8);
LAYOUT_FIELD(struct celos_font_control_ops, size, 0, 4);
LAYOUT_FIELD(struct celos_font_control_ops, reserved, 4, 4);
LAYOUT_FIELD(struct celos_font_control_ops, open, 8, 8);

/* The constants baked into modules and read by the loader. */
CELOS_STATIC_ASSERT(CELOS_MODULE_MAGIC == 0x444f4d43u, "magic is \"CMOD\" little-endian");
CELOS_STATIC_ASSERT(CELOS_MODULE_NAME_MAX == 32 && CELOS_MODULE_VERSION_MAX == 16 &&
                        CELOS_MODULE_DEPENDS_MAX == 128 && CELOS_PARAM_NAME_MAX == 24,
                    "inline string sizes");
CELOS_STATIC_ASSERT(CELOS_PARAM_BOOL == 1 && CELOS_PARAM_INT == 2 && CELOS_PARAM_STRING == 3, "param types");
CELOS_STATIC_ASSERT(CELOS_PAGE_SIZE == 4096, "page size");
CELOS_STATIC_ASSERT(CELOS_PROT_READ == 1 && CELOS_PROT_WRITE == 2 && CELOS_PROT_EXEC == 4, "protections");
CELOS_STATIC_ASSERT(CELOS_LOG_ERROR == 0 && CELOS_LOG_WARN == 1 && CELOS_LOG_INFO == 2 &&
                        CELOS_LOG_DEBUG == 3,
                    "log levels");
CELOS_STATIC_ASSERT(CELOS_OK == 0 && CELOS_ERR_INVALID == -1 && CELOS_ERR_NO_MEMORY == -2 &&
                        CELOS_ERR_NOT_FOUND == -3 && CELOS_ERR_UNSUPPORTED == -4 && CELOS_ERR_RANGE == -5 &&
                        CELOS_ERR_EXISTS == -6 && CELOS_ERR_IO == -7 && CELOS_ERR_DEPENDENCY == -8 &&
                        CELOS_ERR_FAULT == -9,
                    "status codes");
