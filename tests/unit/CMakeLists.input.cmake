# Host tests of the input drivers' pure logic (issue 15), included from
# tests/unit/CMakeLists.txt after celos_unit_tests is defined: the PS/2
# scan code decoder and the i8042 bring-up (modules/ps2kbd), the terminal
# input decoder and COM1's receiver (modules/serial_input). Each module's
# code is built with only abi/include and its own folder on the include
# path, as in the kernel. The UTF-8 vectors come from Python's decoder
# (tests/fixtures/gen_utf8_vectors.py). celos_input_asan_tests runs the same
# tests under ASan and UBSan (the random-stream tests rely on it).
set(CELOS_PS2KBD_DIR ${CMAKE_SOURCE_DIR}/modules/ps2kbd)
set(CELOS_SERIAL_INPUT_DIR ${CMAKE_SOURCE_DIR}/modules/serial_input)
set(CELOS_INPUT_TEST_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/test_scancode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_i8042.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_vt_decoder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_uart.cpp)

set(CELOS_UTF8_VECTORS ${CMAKE_CURRENT_BINARY_DIR}/utf8_vectors.txt)
add_custom_command(OUTPUT ${CELOS_UTF8_VECTORS}
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/fixtures/gen_utf8_vectors.py ${CELOS_UTF8_VECTORS}
  DEPENDS ${CMAKE_SOURCE_DIR}/tests/fixtures/gen_utf8_vectors.py
  COMMENT "UTF-8 test vectors from Python's decoder")
add_custom_target(celos_utf8_vectors DEPENDS ${CELOS_UTF8_VECTORS})

function(celos_input_host_libs suffix)
  add_library(celos_ps2kbd_host${suffix} STATIC ${CELOS_PS2KBD_DIR}/scancode.cpp ${CELOS_PS2KBD_DIR}/i8042.cpp)
  target_include_directories(celos_ps2kbd_host${suffix} PUBLIC ${CMAKE_SOURCE_DIR}/abi/include ${CELOS_PS2KBD_DIR})
  add_library(celos_serial_input_host${suffix} STATIC ${CELOS_SERIAL_INPUT_DIR}/vt_decoder.cpp
              ${CELOS_SERIAL_INPUT_DIR}/uart.cpp)
  target_include_directories(celos_serial_input_host${suffix} PUBLIC ${CMAKE_SOURCE_DIR}/abi/include
                             ${CELOS_SERIAL_INPUT_DIR})
  foreach(lib celos_ps2kbd_host${suffix} celos_serial_input_host${suffix})
    target_compile_options(${lib} PRIVATE -Wall -Wextra -Werror -Wshadow ${ARGN})
  endforeach()
endfunction()

celos_input_host_libs("")
target_sources(celos_unit_tests PRIVATE ${CELOS_INPUT_TEST_SOURCES})
target_link_libraries(celos_unit_tests PRIVATE celos_ps2kbd_host celos_serial_input_host)
target_compile_definitions(celos_unit_tests PRIVATE CELOS_UTF8_VECTORS="${CELOS_UTF8_VECTORS}")
add_dependencies(celos_unit_tests celos_utf8_vectors)

set(CELOS_INPUT_SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
celos_input_host_libs("_asan" ${CELOS_INPUT_SANITIZE})
add_executable(celos_input_asan_tests ${CMAKE_CURRENT_LIST_DIR}/main.cpp ${CELOS_INPUT_TEST_SOURCES})
target_link_libraries(celos_input_asan_tests PRIVATE celos_ps2kbd_host_asan celos_serial_input_host_asan
                      Catch2::Catch2)
target_compile_options(celos_input_asan_tests PRIVATE -Wall -Wextra -Werror -Wno-missing-field-initializers
                       ${CELOS_INPUT_SANITIZE})
target_link_options(celos_input_asan_tests PRIVATE ${CELOS_INPUT_SANITIZE})
target_compile_definitions(celos_input_asan_tests PRIVATE CELOS_UTF8_VECTORS="${CELOS_UTF8_VECTORS}")
target_include_directories(celos_input_asan_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
add_dependencies(celos_input_asan_tests celos_utf8_vectors)
catch_discover_tests(celos_input_asan_tests TEST_PREFIX "asan: " PROPERTIES LABELS unit)
