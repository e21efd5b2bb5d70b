/* CelOS's FreeType options (FT_CONFIG_OPTIONS_H): FreeType's own defaults,
   as Debian ships them in the source package, minus everything the kernel
   cannot or need not provide. Selected by the truetype module's CMake file
   with -DFT_CONFIG_OPTIONS_H="celos_ft/ftoption.h". */
#ifndef CELOS_FT_OPTION_H
#define CELOS_FT_OPTION_H

#include <freetype/config/ftoption.h>

/* No environment: there is no getenv() (FREETYPE_PROPERTIES). */
#undef FT_CONFIG_OPTION_ENVIRONMENT_PROPERTIES

/* No compressed streams (gzip, LZW, bzip2) and no external libraries. */
#undef FT_CONFIG_OPTION_USE_LZW
#undef FT_CONFIG_OPTION_USE_ZLIB
#undef FT_CONFIG_OPTION_SYSTEM_ZLIB
#undef FT_CONFIG_OPTION_USE_BZIP2
#undef FT_CONFIG_OPTION_USE_PNG
#undef FT_CONFIG_OPTION_USE_HARFBUZZ
#undef FT_CONFIG_OPTION_USE_BROTLI

/* No files: fonts are opened from memory (boot files) only. */
#ifndef FT_CONFIG_OPTION_DISABLE_STREAM_SUPPORT
#define FT_CONFIG_OPTION_DISABLE_STREAM_SUPPORT
#endif

/* No Mac resource forks (they need files), no incremental loading, no
   OT-SVG (needs an external renderer). */
#undef FT_CONFIG_OPTION_MAC_FONTS
#undef FT_CONFIG_OPTION_GUESSING_EMBEDDED_RFORK
#undef FT_CONFIG_OPTION_INCREMENTAL
#undef FT_CONFIG_OPTION_SVG

/* FT_Error_String: error messages name FreeType's error, not only its
   number (about 4 KiB of strings). */
#ifndef FT_CONFIG_OPTION_ERROR_STRINGS
#define FT_CONFIG_OPTION_ERROR_STRINGS
#endif

/* No debug output: it needs stdio. */
#undef FT_DEBUG_LEVEL_ERROR
#undef FT_DEBUG_LEVEL_TRACE
#undef FT_DEBUG_LOGGING
#undef FT_DEBUG_MEMORY
#undef FT_DEBUG_AUTOFIT

#endif
