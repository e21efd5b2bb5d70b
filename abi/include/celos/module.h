/* What makes an ELF relocatable object a CelOS module: one descriptor in the
   section .celos_module (CELOS_MODULE), optional parameters
   (CELOS_MODULE_PARAMS) and exports (CELOS_EXPORT). */
#ifndef CELOS_MODULE_H
#define CELOS_MODULE_H

#include <celos/cdefs.h>
#include <celos/status.h>

#define CELOS_MODULE_MAGIC 0x444f4d43u /* "CMOD" */
#define CELOS_MODULE_NAME_MAX 32
#define CELOS_MODULE_VERSION_MAX 16
#define CELOS_MODULE_DEPENDS_MAX 128
#define CELOS_PARAM_NAME_MAX 24

enum celos_param_type {
    CELOS_PARAM_BOOL = 1,   /* value: bool*; "on/off", "yes/no", "true/false", "1/0" */
    CELOS_PARAM_INT = 2,    /* value: int64_t*; decimal or 0x hex, optional sign */
    CELOS_PARAM_STRING = 3, /* value: char[size], NUL-terminated; longer values are refused */
};

/* One parameter a module accepts on its module2 line (key=value). The
   variable's initial value is the default. */
struct celos_module_param {
    char name[CELOS_PARAM_NAME_MAX];
    uint32_t type;          /* enum celos_param_type */
    uint32_t size;          /* CELOS_PARAM_STRING: the buffer's size */
    void* value;
    const char* description;
};

/* Strings are inline so that the loader can read the name and the
   dependencies before relocating anything. */
struct celos_module_descriptor {
    uint32_t magic;         /* CELOS_MODULE_MAGIC */
    uint16_t abi_major;
    uint16_t abi_minor;
    char name[CELOS_MODULE_NAME_MAX];
    char version[CELOS_MODULE_VERSION_MAX];
    char depends[CELOS_MODULE_DEPENDS_MAX]; /* names separated by spaces or commas; "@name":
                                               a service some module registers (any provider) */
    celos_status (*init)(void);             /* required */
    void (*exit)(void);                     /* may be NULL */
    const struct celos_module_param* params;
    uint32_t param_count;
    uint32_t reserved;
};

/* An exported symbol: only these can be linked against. The loader takes a
   module's export names from the symbols that the entries refer to. */
struct celos_export {
    const char* name;
    const void* address;
};

#define CELOS_MODULE_SECTION ".celos_module"
#define CELOS_EXPORT_SECTION ".celos_exports"

/* CELOS_MODULE("fbcon", "1.0", "heap", fbcon_init, fbcon_exit) */
#define CELOS_MODULE(name_, version_, depends_, init_, exit_)                                   \
    CELOS_MODULE_WITH_PARAMS(name_, version_, depends_, init_, exit_, 0, 0)

#define CELOS_MODULE_WITH_PARAMS(name_, version_, depends_, init_, exit_, params_, count_)      \
    CELOS_USED CELOS_SECTION(CELOS_MODULE_SECTION) __attribute__((aligned(8)))                  \
    const struct celos_module_descriptor celos_module_descriptor_ = {                           \
        CELOS_MODULE_MAGIC, CELOS_ABI_VERSION_MAJOR, CELOS_ABI_VERSION_MINOR, name_, version_,  \
        depends_, init_, exit_, params_, count_, 0}

/* Exports a function or object with C linkage (extern "C" in C++). */
#define CELOS_EXPORT(symbol)                                                                    \
    CELOS_USED CELOS_SECTION(CELOS_EXPORT_SECTION) __attribute__((aligned(8)))                  \
    const struct celos_export celos_export_##symbol = {#symbol, __extension__(const void*)&symbol}

#endif
