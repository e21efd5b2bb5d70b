# Host tests of the TrueType module's glyph code (modules/truetype/tt_font.cpp
# in celos_truetype_host, built in modules/truetype/CMakeLists.txt), included
# from tests/unit/CMakeLists.txt when FreeType's source is there. The oracle
# is the system's libfreetype (Debian's libfreetype6; its headers from
# libfreetype-dev), dlopen'ed by support/ft_oracle.cpp: celos_ft_oracle
# (also used by the benchmarks). The fonts come from fonts-dejavu-core and
# fonts-urw-base35. celos_truetype_asan_tests runs the malformed-font tests
# under ASan and UBSan, FreeType included.
find_path(CELOS_SYSTEM_FREETYPE_INCLUDE ft2build.h PATH_SUFFIXES freetype2)
set(CELOS_TT_DEJAVU /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf CACHE INTERNAL "test font (fonts-dejavu-core)")
set(CELOS_TT_NIMBUS /usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Regular.otf CACHE INTERNAL "test font (fonts-urw-base35)")
if(NOT CELOS_SYSTEM_FREETYPE_INCLUDE OR NOT EXISTS ${CELOS_TT_DEJAVU} OR NOT EXISTS ${CELOS_TT_NIMBUS}
   OR NOT EXISTS /usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf)
  message(STATUS "truetype tests: need libfreetype-dev, fonts-dejavu-core, fonts-liberation2 and fonts-urw-base35; "
                 "not built")
  return()
endif()

add_library(celos_ft_oracle STATIC ${CMAKE_CURRENT_LIST_DIR}/support/ft_oracle.cpp)
target_include_directories(celos_ft_oracle PRIVATE ${CELOS_SYSTEM_FREETYPE_INCLUDE})
target_include_directories(celos_ft_oracle PUBLIC ${CMAKE_CURRENT_LIST_DIR}/support)
target_compile_options(celos_ft_oracle PRIVATE -O2 -Wall -Wextra -Werror)
target_link_libraries(celos_ft_oracle PUBLIC ${CMAKE_DL_LIBS})

# The fonts a provider must refuse or open (issue 11): fonts-liberation2,
# the symbol fonts of fonts-urw-base35, and broken fonts made from them by
# tests/fixtures/gen_bad_fonts.py.
set(CELOS_TT_LIBERATION /usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf)
set(CELOS_TT_DEJAVU_SANS /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf)
set(CELOS_TT_D050000L /usr/share/fonts/opentype/urw-base35/D050000L.otf)
set(CELOS_TT_SYMBOLS /usr/share/fonts/opentype/urw-base35/StandardSymbolsPS.otf)
set(CELOS_TT_BAD_FONTS ${CMAKE_CURRENT_BINARY_DIR}/bad-fonts)
add_custom_command(OUTPUT ${CELOS_TT_BAD_FONTS}/liberation_inserted.ttf ${CELOS_TT_BAD_FONTS}/cell19x1.ttf
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/fixtures/gen_bad_fonts.py ${CELOS_TT_DEJAVU}
          ${CELOS_TT_BAD_FONTS} ${CELOS_TT_LIBERATION}
  DEPENDS ${CMAKE_SOURCE_DIR}/tests/fixtures/gen_bad_fonts.py ${CELOS_TT_DEJAVU} ${CELOS_TT_LIBERATION}
  COMMENT "Making the broken fonts for the truetype unit tests")
add_custom_target(celos_tt_bad_fonts DEPENDS ${CELOS_TT_BAD_FONTS}/liberation_inserted.ttf
                  ${CELOS_TT_BAD_FONTS}/cell19x1.ttf)

# The faces (issue 17): DejaVu Sans Mono's bold and oblique, and GNU Unifont
# (fonts-unifont) as a fallback face when it is installed.
set(CELOS_TT_DEJAVU_BOLD /usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf)
set(CELOS_TT_DEJAVU_OBLIQUE /usr/share/fonts/truetype/dejavu/DejaVuSansMono-Oblique.ttf)
set(CELOS_TT_UNIFONT /usr/share/fonts/opentype/unifont/unifont.otf)
set(CELOS_TT_TEST_DEFINITIONS CELOS_TT_DEJAVU="${CELOS_TT_DEJAVU}" CELOS_TT_NIMBUS="${CELOS_TT_NIMBUS}"
    CELOS_TT_DEJAVU_BOLD="${CELOS_TT_DEJAVU_BOLD}" CELOS_TT_DEJAVU_OBLIQUE="${CELOS_TT_DEJAVU_OBLIQUE}"
    CELOS_TT_LIBERATION="${CELOS_TT_LIBERATION}" CELOS_TT_DEJAVU_SANS="${CELOS_TT_DEJAVU_SANS}"
    CELOS_TT_D050000L="${CELOS_TT_D050000L}" CELOS_TT_SYMBOLS="${CELOS_TT_SYMBOLS}"
    CELOS_TT_BAD_FONTS="${CELOS_TT_BAD_FONTS}")
if(EXISTS ${CELOS_TT_UNIFONT})
  list(APPEND CELOS_TT_TEST_DEFINITIONS CELOS_TT_UNIFONT="${CELOS_TT_UNIFONT}")
else()
  message(STATUS "truetype tests: ${CELOS_TT_UNIFONT} is missing (fonts-unifont): the fallback face is not tested")
endif()
target_sources(celos_unit_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/test_truetype.cpp
               ${CMAKE_CURRENT_LIST_DIR}/test_truetype_malformed.cpp
               ${CMAKE_CURRENT_LIST_DIR}/test_truetype_faces.cpp)
target_link_libraries(celos_unit_tests PRIVATE celos_truetype_host celos_ft_oracle)
target_compile_definitions(celos_unit_tests PRIVATE ${CELOS_TT_TEST_DEFINITIONS})
add_dependencies(celos_unit_tests celos_tt_bad_fonts)

set(CELOS_TT_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
add_executable(celos_truetype_asan_tests ${CMAKE_CURRENT_LIST_DIR}/main.cpp
               ${CMAKE_CURRENT_LIST_DIR}/test_truetype_malformed.cpp)
target_link_libraries(celos_truetype_asan_tests PRIVATE celos_truetype_host_asan Catch2::Catch2)
target_include_directories(celos_truetype_asan_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
add_dependencies(celos_truetype_asan_tests celos_tt_bad_fonts)
target_compile_options(celos_truetype_asan_tests PRIVATE -Wall -Wextra -Werror -Wno-missing-field-initializers
                       ${CELOS_TT_SANITIZE})
target_link_options(celos_truetype_asan_tests PRIVATE ${CELOS_TT_SANITIZE})
target_compile_definitions(celos_truetype_asan_tests PRIVATE ${CELOS_TT_TEST_DEFINITIONS})
catch_discover_tests(celos_truetype_asan_tests TEST_PREFIX "asan: " PROPERTIES LABELS unit)
