/* greeter: parameters, an exported function and a service. */
#include "greeter.h"

static char word[32] = "Hello";
static bool shout = false;

static const struct celos_module_param params[] = {
    {"word", CELOS_PARAM_STRING, sizeof word, word, "the greeting"},
    {"shout", CELOS_PARAM_BOOL, 0, &shout, "end each greeting with '!'"},
};

static int greetings;

/* The export: other modules link against it by name. */
const char* greeter_word(void) { return word; }
CELOS_EXPORT(greeter_word);

/* The service: a struct of function pointers, registered under a name. */
static int greet(const char* who) {
    celos_log(CELOS_LOG_INFO, "%s, %s%s", word, who, shout ? "!" : ".");
    return ++greetings;
}
static const struct greeter_ops ops = {greet};

static celos_status greeter_init(void) {
    celos_status s = celos_service_register(GREETER_SERVICE, GREETER_VERSION, &ops);
    if (s != CELOS_OK) return s;
    celos_log(CELOS_LOG_INFO, "ready, saying '%s'", word);
    return CELOS_OK;
}

static void greeter_exit(void) {
    celos_service_unregister(GREETER_SERVICE, &ops);
    celos_log(CELOS_LOG_INFO, "%d greetings", greetings);
}

CELOS_MODULE_WITH_PARAMS("greeter", "1.0", "", greeter_init, greeter_exit, params,
                         sizeof params / sizeof params[0]);
