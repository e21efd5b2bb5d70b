# Host tests of the display drivers' pure parts (modules/bochs: mode= and
# the video memory check; modules/virtio_gpu: the virtqueue and the
# response parsing over fake devices), each module's folder and abi/include
# only on the include path, as in the kernel.
add_executable(celos_display_tests
  ${CMAKE_CURRENT_LIST_DIR}/main.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_bochs_mode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_virtio_gpu.cpp
  ${CMAKE_SOURCE_DIR}/modules/bochs/bochs_mode.cpp
  ${CMAKE_SOURCE_DIR}/modules/virtio_gpu/virtqueue.cpp
  ${CMAKE_SOURCE_DIR}/modules/virtio_gpu/gpu_proto.cpp)
target_include_directories(celos_display_tests PRIVATE ${CMAKE_SOURCE_DIR}/modules/bochs
  ${CMAKE_SOURCE_DIR}/modules/virtio_gpu ${CMAKE_SOURCE_DIR}/abi/include)
target_link_libraries(celos_display_tests PRIVATE Catch2::Catch2)
target_compile_options(celos_display_tests PRIVATE -Wall -Wextra -Werror -Wno-missing-field-initializers
  -fsanitize=address,undefined -fno-sanitize-recover=all)
target_link_options(celos_display_tests PRIVATE -fsanitize=address,undefined)
catch_discover_tests(celos_display_tests PROPERTIES LABELS unit)
