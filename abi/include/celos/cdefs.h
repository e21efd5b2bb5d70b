/* Helpers shared by the ABI headers. */
#ifndef CELOS_CDEFS_H
#define CELOS_CDEFS_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#ifdef __cplusplus
#define CELOS_BEGIN_DECLS extern "C" {
#define CELOS_END_DECLS }
#define CELOS_NORETURN [[noreturn]]
#else
#define CELOS_BEGIN_DECLS
#define CELOS_END_DECLS
#define CELOS_NORETURN _Noreturn
#endif

#define CELOS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define CELOS_USED __attribute__((used))
#define CELOS_SECTION(name) __attribute__((section(name)))

#ifdef __cplusplus
#define CELOS_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define CELOS_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#endif
