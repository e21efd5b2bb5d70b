# The module SDK (./celos sdk, sdk/): examples/hello-module copied out of the
# repository with only the SDK folder, built there with CMake and with make
# (label abi), then booted from those .ko files with `./celos run --module
# PATH.ko` (label boot). Modules built outside the tree are not in the core's
# manifest: under modsig=warn they load and taint the kernel.
set(SDK_EXAMPLE_OUT ${CMAKE_CURRENT_BINARY_DIR}/sdk-hello-module)
add_test(NAME abi.sdk_hello_module_build
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/tools/build_sdk_example.py
          --sdk ${CELOS_SDK_DIR} --example ${CMAKE_SOURCE_DIR}/examples/hello-module
          --repo ${CMAKE_SOURCE_DIR} --out ${SDK_EXAMPLE_OUT})
set_tests_properties(abi.sdk_hello_module_build PROPERTIES LABELS abi TIMEOUT 300
  FIXTURES_SETUP sdk_hello_module)

celos_boot_test(sdk_hello_module
  RUN_ARGS --module heap --module ${SDK_EXAMPLE_OUT}/hello.ko "--module=hello greeting=hi repeat=2"
           --module ${SDK_EXAMPLE_OUT}/hello_cpp.ko "--module=hello_cpp count=100"
  EXPECT "module hello: sha256 [0-9a-f]+ is not in the core's manifest. loading it anyway \\(modsig=warn\\), kernel tainted"
         "hello: hi from C \\(1 of 2\\)" "hello: hi from C \\(2 of 2\\)"
         "hello_cpp: hi from C\\+\\+: 1 \\+ \\.\\.\\. \\+ 100 = 5050 on the heap"
         "modules: 3 loaded \\(heap, hello, hello_cpp\\), 0 refused"
         "celos: ready \\(tainted: unsigned module"
  REJECT "error:" "PANIC")
set_tests_properties(boot.sdk_hello_module PROPERTIES FIXTURES_REQUIRED sdk_hello_module)
