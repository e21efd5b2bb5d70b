/* hello: a CelOS module in C. Two parameters (greeting=WORD, repeat=N),
   a log line at init and at exit, and one exported function that other
   modules can call (hello_cpp does). */
#include <celos/abi.h>

static char greeting[32] = "hello";
static int64_t repeat = 1;

static const struct celos_module_param params[] = {
    {"greeting", CELOS_PARAM_STRING, sizeof greeting, greeting, "the word to say"},
    {"repeat", CELOS_PARAM_INT, 0, &repeat, "how many times to say it"},
};

/* Exported: only symbols named by CELOS_EXPORT can be linked against. */
const char* hello_greeting(void) { return greeting; }
CELOS_EXPORT(hello_greeting);

static celos_status hello_init(void) {
    if (repeat < 1 || repeat > 100) {
        celos_log(CELOS_LOG_ERROR, "repeat=%lld: give 1 to 100", (long long)repeat);
        return CELOS_ERR_INVALID;
    }
    for (int64_t i = 1; i <= repeat; ++i)
        celos_log(CELOS_LOG_INFO, "%s from C (%lld of %lld)", greeting, (long long)i, (long long)repeat);
    return CELOS_OK;
}

static void hello_exit(void) { celos_log(CELOS_LOG_INFO, "goodbye"); }

CELOS_MODULE_WITH_PARAMS("hello", "1.0", "" /* no dependencies */, hello_init, hello_exit, params,
                         sizeof params / sizeof params[0]);
