# The in-kernel tests (core/ktest/), included from tests/boot/CMakeLists.txt:
# the selftest, module load/unload cycles, the W^X audit over planted
# violations and fault injection. The kernel prints KTAP results; these tests
# assert them (KTAP, KTAP_EXPECT) and EXPECT only messages that are under
# test themselves (a fault report, a refusal, a warning).

# Every check of the selftest passes, on BIOS and UEFI; without the boot
# file cycle_test.ko the module cycles are skipped.
foreach(firmware bios uefi)
  set(uefi_flag "")
  if(firmware STREQUAL "uefi")
    set(uefi_flag UEFI)
  endif()
  celos_boot_test(selftest_${firmware} ${uefi_flag} CMDLINE selftest EXIT success
    KTAP_EXPECT "wx_audit=ok" "direct_map_nx=ok" "framebuffer_write_combining=ok" "pci_bars_probed_once=ok"
                "module_cycles=skip" "module_lifecycle=skip"
    EXPECT "selftest: passed \\([0-9]+ checks, 2 skipped\\)")
endforeach()

# The selftest's W^X audit with modules loaded: module text, rodata and
# data keep W^X too.
celos_boot_test(selftest_with_modules MODULE_DIRS ${ABI_MODULES} CMDLINE selftest EXIT success
  MODULE_LINES "module2 /boot/modules/abi_test_c.ko abi_test_c"
               "module2 /boot/modules/abi_test_cpp.ko abi_test_cpp"
  KTAP_EXPECT "wx_audit=ok"
  EXPECT "modules: 2 loaded")

# A check that fails is `not ok` and fails the selftest: with wxaudit=inject
# the selftest's W^X audit runs over a planted writable+executable page and
# a module's rodata made writable (and the wxaudit=inject run before the
# selftest finds them: ok).
celos_boot_test(selftest_wx_inject MODULE_DIRS ${ABI_MODULES} CMDLINE "selftest wxaudit=inject" EXIT failure
  MODULE_LINES "module2 /boot/modules/abi_test_c.ko abi_test_c"
  KTAP_EXPECT "wx_audit=not ok" "wx_audit_finds_injected=ok"
  EXPECT "selftest: FAILED \\(1 of [0-9]+ checks\\)")

# Load and unload cycles (core/ktest/module_cycles.cpp): with the boot file
# cycle_test.ko, the selftest loads and unloads it 1000 times; free pages,
# the module area, the virtual ranges and the heap end as they began
# (module/resource_snapshot.h). The heap under the cycled module, and the
# font provider under the console ("@font"), cannot be unloaded: their
# warnings are the messages expected here.
celos_boot_test(module_cycles MODULE_DIRS ${ABI_MODULES} CMDLINE selftest EXIT success TIMEOUT 150
  MODULE_LINES "module2 /boot/modules/heap.ko heap" "module2 /boot/modules/cycle_test.ko cycle_test.ko"
               "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
               "module2 /boot/modules/psf.ko psf" "module2 /boot/modules/fbcon.ko fbcon"
  KTAP_EXPECT "module_cycles=ok" "module_cycles.heap_kept_while_needed=ok"
              "module_cycles.font_provider_kept_under_console=ok" "module_cycles.resources_unchanged=ok"
  EXPECT "boot file 'cycle_test.ko': [0-9]+ bytes"
         "modules: 3 loaded \\(heap, psf, fbcon\\), 0 refused, 0 not needed, 2 boot files"
         "warn: module heap: not unloaded: module [a-z_]+ depends on it"
         "warn: module psf: not unloaded: module fbcon holds its service 'font'"
         "module cycles: 1000 loads and unloads of cycle_test.ko in [0-9]+ ms"
  REJECT "LEAK" "error:")

# The W^X audit really finds problems: wxaudit=inject (for tests only) plants
# a writable+executable page and makes a module's rodata writable, audits,
# and removes them. The audit's report of each is the message under test.
celos_boot_test(wx_audit_detects MODULE_DIRS ${ABI_MODULES} CMDLINE "wxaudit=inject"
  MODULE_LINES "module2 /boot/modules/abi_test_c.ko abi_test_c"
  KTAP_EXPECT "wx_audit_finds_injected=ok" "wx_audit_clean_after_removal=ok"
  EXPECT "W\\^X audit: wxaudit=inject: a writable\\+executable page at 0x(ffffd[0-9a-f]+) and abi_test_c's rodata writable"
         "error: W\\^X audit: 0xffffd[0-9a-f]+ \\(4 KiB page, flags RWX, raw 0x[0-9a-f]+\\): writable and executable, in a virtual range"
         "error: W\\^X audit: 0xffffffff[ab][0-9a-f]+ \\(4 KiB page, flags RW-, raw 0x[0-9a-f]+\\): rodata is writable, in abi_test_c rodata"
         "error: W\\^X audit: [0-9]+ pages checked, 2 violations \\(1 writable\\+executable pages"
         "celos: ready"
  REJECT "PANIC")

# Faults on purpose (core/ktest/fault_injection.cpp): the report is the
# result, so its lines are what these tests expect.
celos_boot_test(fault_pf CMDLINE fault=pf EXIT panic
  EXPECT "PANIC: CPU exception #PF page fault \\(vector 14\\)"
         "error code 0x2: not-present page, write, kernel mode, data access"
         "faulting address \\(cr2\\): 0x00000000dead0000"
         "faulting address \\(rip\\): 0xffffffff8[0-9a-f]+ fault_page_fault\\+0x"
         "backtrace \\(kernel\\):"
         "#[0-9]+ +0xffffffff8[0-9a-f]+ .*kernel_main\\+0x")
celos_boot_test(fault_gp CMDLINE fault=gp EXIT panic
  EXPECT "PANIC: CPU exception #GP general protection fault \\(vector 13\\)"
         "error code 0x0: no segment selector involved"
         "faulting address \\(rip\\): 0xffffffff8[0-9a-f]+ fault_general_protection\\+0x"
         "backtrace \\(kernel\\):")
celos_boot_test(fault_ud CMDLINE fault=ud EXIT panic
  EXPECT "PANIC: CPU exception #UD invalid opcode \\(vector 6\\)"
         "faulting address \\(rip\\): 0xffffffff8[0-9a-f]+ fault_invalid_opcode\\+0x"
         "backtrace \\(kernel\\):")
celos_boot_test(fault_de CMDLINE fault=de EXIT panic
  EXPECT "PANIC: CPU exception #DE divide error \\(vector 0\\)"
         "faulting address \\(rip\\): 0xffffffff8[0-9a-f]+ fault_divide_error\\+0x"
         "backtrace \\(kernel\\):")
celos_boot_test(fault_stackoverflow CMDLINE fault=stackoverflow EXIT panic
  EXPECT "PANIC: CPU exception #DF double fault \\(vector 8\\)"
         "faulting address \\(rip\\): 0xffffffff8[0-9a-f]+ fault_stack_overflow\\+0x"
         "handled on the #DF IST stack"
         "kernel stack overflow: rsp 0x[0-9a-f]+ is in the guard page below the kernel stack")
# An unknown name: a message naming it, a `not ok`, and the boot goes on.
celos_boot_test(fault_unknown CMDLINE "fault=bogus" KTAP_EXPECT "fault_injection=not ok"
  EXPECT "fault injection: unknown fault 'bogus'" "celos: ready")

# The run-time lifecycle of the shipped modules (ktest/module_lifecycle.cpp):
# the console holds the TrueType font, so truetype cannot be unloaded (the
# refusal names fbcon); psf.ko, a boot file, loaded with replace=on takes
# the font over while fbcon holds it, and truetype then unloads; every
# module is unloaded, loaded again (truetype in psf's place, then psf) and
# unloaded again, leaving nothing behind, and loaded once more.
celos_boot_test(module_lifecycle CMDLINE selftest EXIT success TIMEOUT 120
  MODULE_LINES "module2 /boot/modules/heap.ko heap"
               "module2 /boot/modules/DejaVuSansMono.ttf DejaVuSansMono.ttf"
               "module2 /boot/modules/truetype.ko truetype font=DejaVuSansMono.ttf"
               "module2 /boot/modules/fbcon.ko fbcon"
               "module2 /boot/modules/psf.ko psf.ko"
               "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
  KTAP
  KTAP_EXPECT "module_lifecycle=ok" "module_lifecycle.held_provider_kept=ok"
              "module_lifecycle.font_replaced_while_held=ok" "module_lifecycle.old_provider_unloads=ok"
              "module_lifecycle.replaced_provider_cycles=ok" "module_lifecycle.nothing_left_behind=ok"
              "module_lifecycle.reload_all_once_more=ok"
  EXPECT "modules: 3 loaded \\(heap, truetype, fbcon\\)"
         "service 'font': psf replaces truetype \\(1 holders switched\\)"
  REJECT "LEAK" "PANIC")
