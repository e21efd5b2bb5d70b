/* The small C library the core exports to modules (and to FreeType). */
#ifndef CELOS_LIBC_H
#define CELOS_LIBC_H

#include <celos/cdefs.h>

CELOS_BEGIN_DECLS
void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
int memcmp(const void* a, const void* b, size_t n);
void* memchr(const void* s, int c, size_t n);
size_t strlen(const char* s);
size_t strnlen(const char* s, size_t max);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
char* strchr(const char* s, int c);
char* strrchr(const char* s, int c);
char* strstr(const char* haystack, const char* needle);
char* strncpy(char* dst, const char* src, size_t n);
int snprintf(char* buf, size_t size, const char* fmt, ...) CELOS_PRINTF(3, 4);
int vsnprintf(char* buf, size_t size, const char* fmt, va_list args);
CELOS_END_DECLS

#endif
