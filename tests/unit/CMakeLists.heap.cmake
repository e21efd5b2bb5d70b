# The kernel heap's allocator core (modules/heap/heap_core.cpp), included
# from tests/unit/CMakeLists.txt. Its own executable, always -O2: the random
# run does 10^7 operations per case.
add_executable(celos_heap_tests
  ${CMAKE_CURRENT_LIST_DIR}/main.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_heap.cpp
  ${CMAKE_SOURCE_DIR}/modules/heap/heap_core.cpp)
target_include_directories(celos_heap_tests PRIVATE ${CMAKE_SOURCE_DIR}/modules/heap)
target_compile_options(celos_heap_tests PRIVATE -O2 -Wall -Wextra -Werror -Wno-missing-field-initializers)
target_link_libraries(celos_heap_tests PRIVATE Catch2::Catch2)
catch_discover_tests(celos_heap_tests PROPERTIES LABELS unit)
