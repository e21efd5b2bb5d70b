/* hello: the demo module the shell loads and unloads at run time
   (`insmod hello.ko greeting=hi repeat=2`, `rmmod hello`). Its parameters
   are logged at init, a goodbye at exit; it exports the greeting, which
   `modinfo hello` lists. The default boot entry passes hello.ko as a boot
   file without starting it. */
#include <celos/abi.h>

static char greeting[64] = "hello";
static int64_t repeat = 1;

static const struct celos_module_param params[] = {
    {"greeting", CELOS_PARAM_STRING, sizeof greeting, greeting, "what to say"},
    {"repeat", CELOS_PARAM_INT, 0, &repeat, "how many times to say it (1 to 10)"},
};

static int64_t said;

const char* hello_greeting(void) { return greeting; }
CELOS_EXPORT(hello_greeting);

static celos_status hello_init(void) {
    if (repeat < 1 || repeat > 10) {
        celos_log(CELOS_LOG_ERROR, "repeat=%lld: give 1 to 10", (long long)repeat);
        return CELOS_ERR_RANGE;
    }
    for (said = 0; said < repeat; ++said)
        celos_log(CELOS_LOG_INFO, "%s (%lld of %lld)", greeting, (long long)said + 1, (long long)repeat);
    return CELOS_OK;
}

static void hello_exit(void) {
    celos_log(CELOS_LOG_INFO, "goodbye (said '%s' %lld %s)", greeting, (long long)said, said == 1 ? "time" : "times");
}

CELOS_MODULE_WITH_PARAMS("hello", "1.0", "", hello_init, hello_exit, params, sizeof params / sizeof params[0]);
