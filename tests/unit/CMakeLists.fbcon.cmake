# Host tests of the framebuffer console (modules/fbcon: terminal, renderer,
# the screen's font switch)
# and the PSF font parser (modules/psf), included from
# tests/unit/CMakeLists.txt after celos_unit_tests is defined. Each module's
# code is built with only abi/include and its own folder on the include
# path, as in the kernel; the tests reach the renderer's font through
# celos_font_ops. celos_fbcon_asan_tests runs the same tests under ASan and
# UBSan (the terminal's random-input test relies on it).
set(CELOS_FBCON_DIR ${CMAKE_SOURCE_DIR}/modules/fbcon)
set(CELOS_PSF_DIR ${CMAKE_SOURCE_DIR}/modules/psf)
set(CELOS_FBCON_TEST_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/test_psf.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_terminal.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_terminal_vt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_render.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_render_attrs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_console.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_font_chain.cpp)

# The console fonts, decompressed once at build time (a process per font per
# test run is slow), each with kbd's psfgettable listing as the oracle for
# its Unicode table when psfgettable is installed.
set(CELOS_CONSOLEFONTS_SOURCE /usr/share/consolefonts)
set(CELOS_FBCON_FONTS_DIR ${CMAKE_CURRENT_BINARY_DIR}/consolefonts)
set(CELOS_FBCON_FONTS_STAMP ${CELOS_FBCON_FONTS_DIR}/fonts.stamp)
find_program(CELOS_PSFGETTABLE psfgettable)
if(NOT CELOS_PSFGETTABLE)
  set(CELOS_PSFGETTABLE "")
endif()
file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/gunzip_consolefonts.py @ONLY CONTENT [=[
import glob, gzip, os, subprocess, sys
src, dst, psfgettable = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(dst, exist_ok=True)
for f in sorted(glob.glob(os.path.join(src, "*.psf.gz"))):
    out = os.path.join(dst, os.path.basename(f)[:-3])
    with gzip.open(f) as g, open(out, "wb") as o:
        o.write(g.read())
    if psfgettable:
        with open(out + ".table", "wb") as t:
            subprocess.run([psfgettable, out, "-"], stdout=t, stderr=subprocess.DEVNULL, check=False)
open(os.path.join(dst, "fonts.stamp"), "w").close()
]=])
add_custom_command(OUTPUT ${CELOS_FBCON_FONTS_STAMP}
  COMMAND ${CMAKE_COMMAND} -E remove_directory ${CELOS_FBCON_FONTS_DIR}
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_BINARY_DIR}/gunzip_consolefonts.py
          ${CELOS_CONSOLEFONTS_SOURCE} ${CELOS_FBCON_FONTS_DIR} "${CELOS_PSFGETTABLE}"
  DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/gunzip_consolefonts.py
  COMMENT "Decompressing the console fonts for the PSF and fbcon tests"
  VERBATIM)
add_custom_target(celos_fbcon_fonts DEPENDS ${CELOS_FBCON_FONTS_STAMP})
set(CELOS_FBCON_TEST_DEFINITIONS
  CELOS_CONSOLEFONTS_DIR="${CELOS_CONSOLEFONTS_SOURCE}"
  CELOS_FONTS_DIR="${CELOS_FBCON_FONTS_DIR}"
  CELOS_TERMINAL_FIXTURES="${CMAKE_CURRENT_LIST_DIR}/fixtures/terminal")

# The terminal's differential test against libvterm (Debian's libvterm-dev,
# in ./celos's PACKAGES): required, a missing library is a configure error.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(CELOS_VTERM QUIET IMPORTED_TARGET vterm)
endif()
if(CELOS_VTERM_FOUND)
  set(CELOS_VTERM_LIB PkgConfig::CELOS_VTERM)
else()
  find_library(CELOS_VTERM_LIB vterm)
  find_path(CELOS_VTERM_INCLUDE vterm.h)
  if(NOT CELOS_VTERM_LIB OR NOT CELOS_VTERM_INCLUDE)
    message(FATAL_ERROR "libvterm (vterm.h, libvterm.so) not found: install libvterm-dev (./celos bootstrap)")
  endif()
  include_directories(${CELOS_VTERM_INCLUDE})
endif()
list(APPEND CELOS_FBCON_TEST_SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_terminal_diff.cpp)

function(celos_fbcon_host_libs suffix)
  add_library(celos_fbcon_host${suffix} STATIC ${CELOS_FBCON_DIR}/terminal.cpp ${CELOS_FBCON_DIR}/render.cpp
              ${CELOS_FBCON_DIR}/boxdraw.cpp
              ${CELOS_FBCON_DIR}/console.cpp)
  target_include_directories(celos_fbcon_host${suffix} PUBLIC ${CMAKE_SOURCE_DIR}/abi/include ${CELOS_FBCON_DIR})
  add_library(celos_psf_host${suffix} STATIC ${CELOS_PSF_DIR}/psf_font.cpp)
  target_include_directories(celos_psf_host${suffix} PUBLIC ${CMAKE_SOURCE_DIR}/abi/include ${CELOS_PSF_DIR})
  foreach(lib celos_fbcon_host${suffix} celos_psf_host${suffix})
    target_compile_options(${lib} PRIVATE -Wall -Wextra -Werror -Wshadow ${ARGN})
  endforeach()
endfunction()

celos_fbcon_host_libs("")
target_sources(celos_unit_tests PRIVATE ${CELOS_FBCON_TEST_SOURCES})
target_link_libraries(celos_unit_tests PRIVATE celos_fbcon_host celos_psf_host ${CELOS_VTERM_LIB})
target_compile_definitions(celos_unit_tests PRIVATE ${CELOS_FBCON_TEST_DEFINITIONS})
add_dependencies(celos_unit_tests celos_fbcon_fonts)

set(CELOS_FBCON_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
celos_fbcon_host_libs("_asan" ${CELOS_FBCON_SANITIZE})
add_executable(celos_fbcon_asan_tests ${CMAKE_CURRENT_LIST_DIR}/main.cpp ${CELOS_FBCON_TEST_SOURCES})
target_link_libraries(celos_fbcon_asan_tests PRIVATE celos_fbcon_host_asan celos_psf_host_asan Catch2::Catch2
                      ${CELOS_VTERM_LIB})
target_compile_options(celos_fbcon_asan_tests PRIVATE -Wall -Wextra -Werror -Wno-missing-field-initializers
                       ${CELOS_FBCON_SANITIZE})
target_link_options(celos_fbcon_asan_tests PRIVATE ${CELOS_FBCON_SANITIZE})
target_compile_definitions(celos_fbcon_asan_tests PRIVATE ${CELOS_FBCON_TEST_DEFINITIONS})
target_include_directories(celos_fbcon_asan_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
add_dependencies(celos_fbcon_asan_tests celos_fbcon_fonts)
catch_discover_tests(celos_fbcon_asan_tests TEST_PREFIX "asan: " PROPERTIES LABELS unit)
