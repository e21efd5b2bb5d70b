# The module SDK (./celos sdk, sdk/): each example copied out of the
# repository with only the SDK folder, built there with CMake and with make
# (label abi), then booted from those .ko files with `./celos run --module
# PATH.ko` (label boot). Modules built outside the tree are not in the core's
# manifest: under modsig=warn they load and taint the kernel.
#   examples/hello-module: the SDK's example (README, "Writing a module")
#   examples/greeter: the finished folder of docs/writing-a-module.md
#     (tests/tools/test_tutorial.py checks that the document shows these files)

# sdk_example(NAME DIR MODULES m... [USES module:symbol...]): abi.sdk_NAME_build
# builds DIR's modules into SDK_OUT_NAME (a fixture of the boot test).
function(sdk_example name dir)
  cmake_parse_arguments(EX "" "" "MODULES;USES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/sdk-${name})
  set(args --sdk ${CELOS_SDK_DIR} --example ${dir} --repo ${CMAKE_SOURCE_DIR} --out ${out})
  foreach(m IN LISTS EX_MODULES)
    list(APPEND args --module ${m})
  endforeach()
  foreach(u IN LISTS EX_USES)
    list(APPEND args --uses ${u})
  endforeach()
  add_test(NAME abi.sdk_${name}_build
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/tools/build_sdk_example.py ${args})
  set_tests_properties(abi.sdk_${name}_build PROPERTIES LABELS abi TIMEOUT 300 FIXTURES_SETUP sdk_${name})
  set(SDK_OUT_${name} ${out} PARENT_SCOPE)
endfunction()

sdk_example(hello_module ${CMAKE_SOURCE_DIR}/examples/hello-module MODULES hello hello_cpp
  USES hello_cpp:kmalloc hello_cpp:kfree hello_cpp:hello_greeting)
celos_boot_test(sdk_hello_module
  RUN_ARGS --module heap --module ${SDK_OUT_hello_module}/hello.ko "--module=hello greeting=hi repeat=2"
           --module ${SDK_OUT_hello_module}/hello_cpp.ko "--module=hello_cpp count=100"
  EXPECT "module hello: sha256 [0-9a-f]+ is not in the core's manifest. loading it anyway \\(modsig=warn\\), kernel tainted"
         "hello: hi from C \\(1 of 2\\)" "hello: hi from C \\(2 of 2\\)"
         "hello_cpp: hi from C\\+\\+: 1 \\+ \\.\\.\\. \\+ 100 = 5050 on the heap"
         "modules: 3 loaded \\(heap, hello, hello_cpp\\), 0 refused"
         "celos: ready \\(tainted: unsigned module"
  REJECT "error:" "PANIC")
set_tests_properties(boot.sdk_hello_module PROPERTIES FIXTURES_REQUIRED sdk_hello_module)

# The tutorial's modules, booted as the tutorial boots them (section 6).
sdk_example(greeter ${CMAKE_SOURCE_DIR}/examples/greeter MODULES greeter visitor
  USES visitor:greeter_word visitor:celos_service_acquire visitor:kmalloc)
celos_boot_test(sdk_greeter
  RUN_ARGS --module heap "--module=${SDK_OUT_greeter}/greeter.ko word=Hi shout=on"
           "--module=${SDK_OUT_greeter}/visitor.ko name=celos"
  EXPECT "service 'greeter' version 1 registered" "greeter: ready, saying 'Hi'"
         "greeter: Hi, celos!" "greeter: Hi, CELOS!" "visitor: greeter said 'Hi' 2 times"
         "modules: 3 loaded \\(heap, greeter, visitor\\), 0 refused"
         "celos: ready \\(tainted: unsigned module: greeter, visitor\\)"
  REJECT "error:" "PANIC")
set_tests_properties(boot.sdk_greeter PROPERTIES FIXTURES_REQUIRED sdk_greeter)
# And without greeter, visitor is refused by name (section 6).
celos_boot_test(sdk_greeter_missing
  RUN_ARGS --module heap --module ${SDK_OUT_greeter}/visitor.ko
  EXPECT "error: module visitor: refused: depends on 'greeter', which is not among the boot modules \\(without it, unresolved: greeter_word\\)"
         "modules: 1 loaded \\(heap\\), 1 refused" "celos: ready"
  REJECT "PANIC")
set_tests_properties(boot.sdk_greeter_missing PROPERTIES FIXTURES_REQUIRED sdk_greeter)

# The tutorial's gdb session (section 7): celos-symbols given the folder of
# the SDK-built .ko files; a breakpoint on greeter's greet (a static
# function, by name) stops there, called from visitor's init.
add_test(NAME boot.sdk_greeter_gdb COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/gdb_test.py
  --name sdk_greeter_gdb --kernel $<TARGET_FILE:celos_kernel> --template ${CMAKE_SOURCE_DIR}/grub/grub.cfg.in
  --workdir ${BOOT_WORKDIR} --modules ${CELOS_MODULES_DIR} --modules ${SDK_OUT_greeter}
  --module-line "module2 /boot/modules/heap.ko heap"
  --module-line "module2 /boot/modules/greeter.ko greeter word=Hi"
  --module-line "module2 /boot/modules/visitor.ko visitor"
  --script ${CMAKE_SOURCE_DIR}/tools/gdb/celos.py --symbols-dir ${SDK_OUT_greeter}
  --break greet --source ${CMAKE_SOURCE_DIR}/examples/greeter/greeter.c
  --caller-source ${CMAKE_SOURCE_DIR}/examples/greeter/visitor.cpp --timeout 60)
set_tests_properties(boot.sdk_greeter_gdb PROPERTIES LABELS boot TIMEOUT 120 FIXTURES_REQUIRED sdk_greeter)
