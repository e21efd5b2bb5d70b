# Module hardening (issue 7), included from tests/boot/CMakeLists.txt:
# integrity (modsig), the W^X audit, randomized module bases. (The W^X
# audit over planted violations is in CMakeLists.ktest.cmake.)

set(HARDENING_DEFAULT_SET
  "module2 /boot/modules/heap.ko heap"
  "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
  "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf"
  "module2 /boot/modules/fbcon.ko fbcon")

# Unmodified shipped and test modules under enforce: every hash is in the
# manifest, all load, the kernel is not tainted.
celos_boot_test(modsig_enforce_clean MODULE_DIRS ${ABI_MODULES} CMDLINE "modsig=enforce"
  MODULE_LINES ${HARDENING_DEFAULT_SET}
               "module2 /boot/modules/abi_test_c.ko abi_test_c"
  EXPECT "integrity: modsig=enforce, manifest of [0-9]+ modules"
         "module heap: sha256 @SHA256:${CELOS_MODULES_DIR}/heap.ko@ matches heap.ko in the manifest"
         "module abi_test_c: sha256 @SHA256:${ABI_MODULES}/abi_test_c.ko@ matches abi_test_c.ko in the manifest"
         "modules: 4 loaded \\(heap, psf, fbcon, abi_test_c\\), 0 refused, 0 not needed, 1 boot files"
         "celos: ready$"
  REJECT "error:" "warn:" "PANIC" "taint" "not in the core's manifest")

# A copy of abi_test_c.ko with one byte changed: refused under enforce with
# its hash and label; the boot goes on with the others.
celos_boot_test(modsig_enforce_tampered MODULE_DIRS ${ABI_MODULES} ${CELOS_TAMPERED_MODULES_DIR}
  CMDLINE "modsig=enforce"
  MODULE_LINES "module2 /boot/modules/heap.ko heap"
               "module2 /boot/modules/abi_test_c_tampered.ko abi_test_c"
               "module2 /boot/modules/abi_test_cpp.ko abi_test_cpp"
  EXPECT "error: module abi_test_c: refused: integrity: sha256 @SHA256:${CELOS_TAMPERED_MODULE}@ is not in the core's manifest \\(modsig=enforce\\)"
         "module abi_test_cpp: refused: depends on 'abi_test_c', which was refused"
         "modules: 1 loaded \\(heap\\), 2 refused"
         "  refused abi_test_c: integrity: sha256 @SHA256:${CELOS_TAMPERED_MODULE}@"
         "celos: ready$"
  REJECT "from X" "PANIC" "taint")

# Under modsig=warn it loads (its changed string shows), with a warning
# naming it and its hash; the ready line says the kernel is tainted.
celos_boot_test(modsig_warn_tampered MODULE_DIRS ${ABI_MODULES} ${CELOS_TAMPERED_MODULES_DIR}
  CMDLINE "modsig=warn"
  MODULE_LINES "module2 /boot/modules/heap.ko heap"
               "module2 /boot/modules/abi_test_c_tampered.ko abi_test_c"
  EXPECT "integrity: modsig=warn"
         "warn: module abi_test_c: sha256 @SHA256:${CELOS_TAMPERED_MODULE}@ is not in the core's manifest. loading it anyway \\(modsig=warn\\), kernel tainted"
         "abi_test_c: hello from X \\(2 of 2\\)"
         "modules: 2 loaded \\(heap, abi_test_c\\), 0 refused"
         "celos: ready \\(tainted: unsigned module: abi_test_c\\)"
  REJECT "PANIC" "error:")

# A bad modsig= value is a warning and the default (warn) applies; the
# taint shows in a panic report too.
celos_boot_test(modsig_bad_value_taint_in_panic MODULE_DIRS ${CELOS_TAMPERED_MODULES_DIR}
  CMDLINE "modsig=strict fault=pf" EXIT panic
  MODULE_LINES "module2 /boot/modules/abi_test_c_tampered.ko abi_test_c"
  EXPECT "warn: command line: modsig='strict' is not one of warn\\|enforce. ignored"
         "integrity: modsig=warn"
         "warn: module abi_test_c: sha256 [0-9a-f]{64} is not in the core's manifest"
         "PANIC: CPU exception #PF page fault"
         "kernel tainted: unsigned module: abi_test_c"
         "celos: panic, stopping the machine")

# The W^X audit on the shipped default entry: one line, no violation.
celos_boot_test(wx_audit_default ISO ${CMAKE_BINARY_DIR}/celos.iso
  EXPECT "modules: 7 loaded \\(heap, ps2kbd, serial_input, bochs, truetype, fbcon, shell\\)"
         "W\\^X audit: [1-9][0-9]* pages checked, no writable\\+executable page, module text/rodata read-only"
         "celos: ready$"
  REJECT "W\\^X audit: 0x" "violations" "error:")

# Two boots place each module at different bases; with nokaslr at the same.
# The second set runs on a CPU without RDRAND: the TSC fallback, logged.
set(KASLR_TEST ${CMAKE_CURRENT_SOURCE_DIR}/kaslr_test.py)
set(KASLR_ARGS --kernel $<TARGET_FILE:celos_kernel> --template ${CMAKE_SOURCE_DIR}/grub/grub.cfg.in
    --workdir ${BOOT_WORKDIR} --modules ${CELOS_MODULES_DIR} --modules ${ABI_MODULES}
    --module-line "module2 /boot/modules/heap.ko heap"
    --module-line "module2 /boot/modules/abi_test_c.ko abi_test_c"
    --module-line "module2 /boot/modules/abi_test_cpp.ko abi_test_cpp")
add_test(NAME boot.kaslr_differ COMMAND ${Python3_EXECUTABLE} ${KASLR_TEST} --name kaslr_differ ${KASLR_ARGS}
  --differ --expect "cpu: nx rdrand=yes" --expect "kaslr: module bases randomized in \\[0xffffffffa0000000, 0xffffffffc0000000\\), from RDRAND")
add_test(NAME boot.kaslr_nokaslr COMMAND ${Python3_EXECUTABLE} ${KASLR_TEST} --name kaslr_nokaslr ${KASLR_ARGS}
  --cmdline nokaslr --same --expect "kaslr: off \\(nokaslr\\): modules at deterministic first-fit bases")
add_test(NAME boot.kaslr_no_rdrand COMMAND ${Python3_EXECUTABLE} ${KASLR_TEST} --name kaslr_no_rdrand ${KASLR_ARGS}
  --differ --expect "cpu: nx rdrand=no" --expect "kaslr: the CPU has no RDRAND. module bases randomized from the TSC"
  -- -cpu qemu64)
set_tests_properties(boot.kaslr_differ boot.kaslr_nokaslr boot.kaslr_no_rdrand PROPERTIES LABELS boot TIMEOUT 240)

# A module loaded after boot (the selftest's load/unload cycles) passes the
# same integrity check: under modsig=enforce an unlisted file given as
# cycle_test.ko is refused with its hash, and the cycles' first load fails.
celos_boot_test(modsig_enforce_later_load MODULE_DIRS ${ABI_MODULES} ${CELOS_TAMPERED_MODULES_DIR}
  CMDLINE "selftest modsig=enforce" EXIT failure
  MODULE_LINES "module2 /boot/modules/heap.ko heap"
               "module2 /boot/modules/abi_test_c_tampered.ko cycle_test.ko"
  KTAP_EXPECT "module_cycles.first_load=not ok" "module_cycles=not ok"
  EXPECT "error: module cycle_test.ko: refused: integrity: sha256 @SHA256:${CELOS_TAMPERED_MODULE}@ is not in the core's manifest \\(modsig=enforce\\)"
  REJECT "from X" "taint")
