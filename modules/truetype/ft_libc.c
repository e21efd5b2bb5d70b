/* The part of the C library FreeType needs that the core does not export
   (see celos_ft/ftstdlib.h): strcat, strcpy, strtol and qsort. */
#include <stddef.h>
#include <stdint.h>

char* celos_ft_strcat(char* dst, const char* src);
char* celos_ft_strcpy(char* dst, const char* src);
long celos_ft_strtol(const char* s, char** end, int base);
void celos_ft_qsort(void* base, size_t count, size_t size, int (*compare)(const void*, const void*));

char* celos_ft_strcpy(char* dst, const char* src) {
    char* d = dst;
    while ((*d++ = *src++) != '\0') {
    }
    return dst;
}

char* celos_ft_strcat(char* dst, const char* src) {
    char* d = dst;
    while (*d)
        d++;
    celos_ft_strcpy(d, src);
    return dst;
}

static int is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static int digit_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* C11 7.22.1.4, without errno: out-of-range values saturate at LONG_MIN or
   LONG_MAX. */
long celos_ft_strtol(const char* s, char** end, int base) {
    const char* p = s;
    while (is_space(*p))
        p++;
    int negative = 0;
    if (*p == '+' || *p == '-')
        negative = *p++ == '-';
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    if (base < 2 || base > 36) {
        if (end)
            *end = (char*)s;
        return 0;
    }
    unsigned long limit = negative ? (unsigned long)__LONG_MAX__ + 1UL : (unsigned long)__LONG_MAX__;
    unsigned long value = 0;
    int any = 0, overflow = 0;
    for (;; p++) {
        int d = digit_value(*p);
        if (d >= base)
            break;
        any = 1;
        if (value > (limit - (unsigned long)d) / (unsigned long)base)
            overflow = 1;
        else
            value = value * (unsigned long)base + (unsigned long)d;
    }
    if (end)
        *end = (char*)(any ? p : s);
    if (overflow)
        return negative ? -__LONG_MAX__ - 1L : __LONG_MAX__;
    return negative ? (long)(0UL - value) : (long)value;
}

static void swap_bytes(unsigned char* a, unsigned char* b, size_t size) {
    while (size--) {
        unsigned char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

/* Heapsort: O(n log n) in the worst case, no recursion, no allocation. */
static void sift_down(unsigned char* base, size_t root, size_t count, size_t size,
                      int (*compare)(const void*, const void*)) {
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= count)
            return;
        if (child + 1 < count && compare(base + child * size, base + (child + 1) * size) < 0)
            child++;
        if (compare(base + root * size, base + child * size) >= 0)
            return;
        swap_bytes(base + root * size, base + child * size, size);
        root = child;
    }
}

void celos_ft_qsort(void* base, size_t count, size_t size, int (*compare)(const void*, const void*)) {
    unsigned char* b = (unsigned char*)base;
    if (count < 2 || size == 0)
        return;
    for (size_t i = count / 2; i-- > 0;)
        sift_down(b, i, count, size, compare);
    for (size_t end = count - 1; end > 0; end--) {
        swap_bytes(b, b + end * size, size);
        sift_down(b, 0, end, size, compare);
    }
}
