/* A module written in C: calls into the core (log, pages, libc, services,
   parameters) and exports a function for another module. */
#include <celos/abi.h>

static int64_t repeat = 2;
static bool loud = false;
static char greeting[32] = "hello";
static char file[32] = "";

static const struct celos_module_param params[] = {
    {"repeat", CELOS_PARAM_INT, 0, &repeat, "how many times to greet"},
    {"loud", CELOS_PARAM_BOOL, 0, &loud, "greet in upper case"},
    {"greeting", CELOS_PARAM_STRING, sizeof greeting, greeting, "the word to say"},
    {"file", CELOS_PARAM_STRING, sizeof file, file, "a boot file to show the first line of"},
};

int abi_test_c_add(int a, int b) { return a + b; }
CELOS_EXPORT(abi_test_c_add);

static celos_status abi_test_c_init(void) {
    uint64_t page = 0;
    celos_status s = celos_pages_alloc(1, &page);
    if (s != CELOS_OK) return s;
    char* p = (char*)celos_phys_to_virt(page);
    memset(p, 0, CELOS_PAGE_SIZE);
    strncpy(p, greeting, CELOS_PAGE_SIZE - 1);
    if (loud)
        for (char* c = p; *c; ++c)
            if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 'a' + 'A');
    for (int64_t i = 0; i < repeat; ++i) celos_log(CELOS_LOG_INFO, "%s from C (%lld of %lld)", p, (long long)(i + 1), (long long)repeat);
    celos_pages_free(page, 1);
    if (file[0]) {
        const void* data = 0;
        size_t size = 0;
        s = celos_bootfile_find(file, &data, &size);
        if (s != CELOS_OK) {
            celos_log(CELOS_LOG_ERROR, "boot file '%s': %s", file, celos_strerror(s));
            return s;
        }
        const char* text = (const char*)data;
        size_t line = 0;
        while (line < size && text[line] != '\n') ++line;
        celos_log(CELOS_LOG_INFO, "boot file '%s': %zu bytes, first line '%.*s'", file, size, (int)line, text);
    }
    celos_log(CELOS_LOG_INFO, "strerror(CELOS_ERR_NO_MEMORY) = '%s'", celos_strerror(CELOS_ERR_NO_MEMORY));
    /* ABI 1.7: unknown unload flags are refused before anything else. */
    char why[64];
    s = celos_module_unload_flags("abi_test_c", 0x80 | CELOS_UNLOAD_ASK_HOLDERS, why, sizeof why);
    celos_log(CELOS_LOG_INFO, "unload with flags 0x81: %s (%s)", celos_status_name(s), why);
    s = celos_module_unload_flags("no_such_module", CELOS_UNLOAD_ASK_HOLDERS, why, sizeof why);
    celos_log(CELOS_LOG_INFO, "unload of no_such_module: %s (%s)", celos_status_name(s), why);
    return CELOS_OK;
}

CELOS_MODULE_WITH_PARAMS("abi_test_c", "1.0", "", abi_test_c_init, 0, params, 4);
