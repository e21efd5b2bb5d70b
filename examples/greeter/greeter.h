/* The greeter service: what greeter provides and its users call. */
#ifndef GREETER_H
#define GREETER_H

#include <celos/abi.h>

#define GREETER_SERVICE "greeter"
#define GREETER_VERSION 1

struct greeter_ops {
    /* Logs a greeting for `who`; returns how many greetings so far. */
    int (*greet)(const char* who);
};

CELOS_BEGIN_DECLS
/* Exported by greeter (CELOS_EXPORT): a plain function call. */
const char* greeter_word(void);
CELOS_END_DECLS

#endif
