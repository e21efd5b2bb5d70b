/* CelOS's replacement for FreeType's ftstdlib.h (FT_CONFIG_STANDARD_LIBRARY_H):
   the C library FreeType uses, mapped onto the core's small libc
   (<celos/libc.h>), the heap (<celos/heap.h>) and the few functions the
   truetype module adds itself (ft_libc.c, ft_asm.S). Selected with
   -DFT_CONFIG_STANDARD_LIBRARY_H="celos_ft/ftstdlib.h". No hosted headers:
   the module is compiled with -nostdinc. */
#ifndef CELOS_FT_STDLIB_H
#define CELOS_FT_STDLIB_H

#ifdef CELOS_FT_HOSTED
/* The host build (celos_freetype_host, for the host tests): the hosted C
   library, as FreeType's own ftstdlib.h maps it. Memory still goes through
   ftsystem.c's kmalloc family (a malloc shim on the host). */
#include <freetype/config/ftstdlib.h>
#else

#include <stdarg.h>
#include <stddef.h>

#include <celos/heap.h>
#include <celos/libc.h>

#define ft_ptrdiff_t ptrdiff_t

/* SSE2: the smooth rasterizer (src/smooth/ftgrays.c) includes <emmintrin.h>
   on x86_64, whose xmmintrin.h includes mm_malloc.h, which wants the hosted
   <stdlib.h> for _mm_malloc (unused here). Claiming its include guard keeps
   it out; the intrinsics themselves need nothing else. */
#ifndef _MM_MALLOC_H_INCLUDED
#define _MM_MALLOC_H_INCLUDED
#endif

/* <limits.h>, from the compiler's predefined macros: GCC's own limits.h
   include_next's a libc one, which -nostdinc leaves out. */
#ifndef SHRT_MAX /* FT_OUTLINE_POINTS_MAX in ftimage.h */
#define SHRT_MAX __SHRT_MAX__
#endif
#ifndef INT_MAX /* smooth/ftgrays.c */
#define INT_MAX __INT_MAX__
#endif
#ifndef INT_MIN
#define INT_MIN (-__INT_MAX__ - 1)
#endif
#define FT_CHAR_BIT __CHAR_BIT__
#define FT_USHORT_MAX (__SHRT_MAX__ * 2 + 1)
#define FT_INT_MAX __INT_MAX__
#define FT_INT_MIN (-__INT_MAX__ - 1)
#define FT_UINT_MAX (__INT_MAX__ * 2U + 1U)
#define FT_LONG_MIN (-__LONG_MAX__ - 1L)
#define FT_LONG_MAX __LONG_MAX__
#define FT_ULONG_MAX (__LONG_MAX__ * 2UL + 1UL)
#define FT_LLONG_MAX __LONG_LONG_MAX__
#define FT_LLONG_MIN (-__LONG_LONG_MAX__ - 1LL)
#define FT_ULLONG_MAX (__LONG_LONG_MAX__ * 2ULL + 1ULL)

#ifdef __cplusplus
extern "C" {
#endif

/* Added by the module (ft_libc.c): what the core's libc lacks. */
char* celos_ft_strcat(char* dst, const char* src);
char* celos_ft_strcpy(char* dst, const char* src);
long celos_ft_strtol(const char* s, char** end, int base);
void celos_ft_qsort(void* base, size_t count, size_t size, int (*compare)(const void*, const void*));

/* setjmp/longjmp (ft_asm.S): rbx, rbp, r12-r15, rsp and the return
   address. The smooth rasterizer longjmps out of its inner loop when its
   cell pool overflows. */
typedef unsigned long celos_ft_jmp_buf[8];
__attribute__((returns_twice)) int celos_ft_setjmp(celos_ft_jmp_buf env);
__attribute__((noreturn)) void celos_ft_longjmp(celos_ft_jmp_buf env, int value);

#ifdef __cplusplus
}
#endif

/* <string.h> */
#define ft_memchr memchr
#define ft_memcmp memcmp
#define ft_memcpy memcpy
#define ft_memmove memmove
#define ft_memset memset
#define ft_strcat celos_ft_strcat
#define ft_strcmp strcmp
#define ft_strcpy celos_ft_strcpy
#define ft_strlen strlen
#define ft_strncmp strncmp
#define ft_strncpy strncpy
#define ft_strrchr strrchr
#define ft_strstr strstr

/* <stdio.h>: no files (FT_CONFIG_OPTION_DISABLE_STREAM_SUPPORT), and
   sprintf only in code we leave out (debugging). FT_FILE stays an
   incomplete type so that any use fails to compile. */
#define FT_FILE struct celos_ft_no_file
#define ft_sprintf(...) celos_ft_no_sprintf_in_the_kernel

/* <stdlib.h> */
#define ft_qsort celos_ft_qsort
#define ft_scalloc kcalloc
#define ft_sfree kfree
#define ft_smalloc kmalloc
#define ft_srealloc krealloc
#define ft_strtol celos_ft_strtol
#define ft_getenv(name) ((char*)0)

/* <setjmp.h> */
#define ft_jmp_buf celos_ft_jmp_buf
#define ft_longjmp celos_ft_longjmp
#define ft_setjmp(b) celos_ft_setjmp(*(ft_jmp_buf*)&(b))

#endif /* CELOS_FT_HOSTED */

#endif
