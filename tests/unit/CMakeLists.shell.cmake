# Host tests of the shell's pure logic (modules/shell: everything but
# shell_module.cpp), included from tests/unit/CMakeLists.txt after the
# fbcon tests (the line editor is judged by the console's own terminal
# emulator, celos_fbcon_host). celos_shell_asan_tests runs them under ASan
# and UBSan.
set(CELOS_SHELL_DIR ${CMAKE_SOURCE_DIR}/modules/shell)
set(CELOS_SHELL_HOST_SOURCES
  ${CELOS_SHELL_DIR}/text.cpp ${CELOS_SHELL_DIR}/line_editor.cpp ${CELOS_SHELL_DIR}/history.cpp
  ${CELOS_SHELL_DIR}/tokenizer.cpp ${CELOS_SHELL_DIR}/commands.cpp ${CELOS_SHELL_DIR}/font_command.cpp
  ${CELOS_SHELL_DIR}/shell.cpp)

function(celos_shell_host_lib suffix)
  add_library(celos_shell_host${suffix} STATIC ${CELOS_SHELL_HOST_SOURCES})
  target_include_directories(celos_shell_host${suffix} PUBLIC ${CMAKE_SOURCE_DIR}/abi/include ${CELOS_SHELL_DIR})
  target_compile_options(celos_shell_host${suffix} PRIVATE -Wall -Wextra -Werror -Wshadow ${ARGN})
endfunction()

celos_shell_host_lib("")
target_sources(celos_unit_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/test_shell.cpp)
target_link_libraries(celos_unit_tests PRIVATE celos_shell_host)

celos_shell_host_lib("_asan" ${CELOS_FBCON_SANITIZE})
add_executable(celos_shell_asan_tests ${CMAKE_CURRENT_LIST_DIR}/main.cpp ${CMAKE_CURRENT_LIST_DIR}/test_shell.cpp)
target_link_libraries(celos_shell_asan_tests PRIVATE celos_shell_host_asan celos_fbcon_host_asan Catch2::Catch2)
target_compile_options(celos_shell_asan_tests PRIVATE -Wall -Wextra -Werror -Wno-missing-field-initializers
                       ${CELOS_FBCON_SANITIZE})
target_link_options(celos_shell_asan_tests PRIVATE ${CELOS_FBCON_SANITIZE})
catch_discover_tests(celos_shell_asan_tests TEST_PREFIX "asan: " PROPERTIES LABELS unit)
