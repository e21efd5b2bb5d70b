# Modules (tests/abi/modules, tests/fixtures) and the heap module
# (modules/heap), included from tests/boot/CMakeLists.txt: loading in
# dependency order, parameters, failures and faults in init with everything
# released, malformed modules, the heap's users and its bug reports.

# A C and a C++ module, listed in the wrong order: the loader orders them by
# their dependencies, links the C++ one against the C one's export, and
# applies the parameters.
celos_boot_test(modules_c_and_cpp MODULE_DIRS ${ABI_MODULES}
  MODULE_LINES "module2 /boot/modules/abi_test_cpp.ko abi_test_cpp"
               "module2 /boot/modules/abi_test_c.ko abi_test_c repeat=3 loud=on greeting=hi file=hello.txt"
               "module2 /boot/modules/hello.txt hello.txt"
  EXPECT "module abi_test_c 1\\.0: text 0xffffffff[ab][0-9a-f]+ \\([0-9]+ KiB\\), rodata .*relocations, linked in [0-9]+ us"
         "abi_test_c: HI from C \\(3 of 3\\)"
         "abi_test_c: boot file 'hello.txt': 46 bytes, first line 'Hello from a boot file, CelOS!'"
         "abi_test_c: strerror\\(CELOS_ERR_NO_MEMORY\\) = 'out of memory'"
         "abi_test_c: unload with flags 0x81: CELOS_ERR_INVALID \\(unknown flags 0x80\\)"
         "abi_test_c: unload of no_such_module: CELOS_ERR_NOT_FOUND \\(no loaded module 'no_such_module' \\(lsmod lists them\\)\\)"
         "module abi_test_cpp 1\\.0: text"
         "abi_test_cpp: log sink: [1-9][0-9]+ lines replayed"
         "abi_test_cpp: 40 \\+ 2 = 42 \\(through abi_test_c\\)"
         "abi_test_cpp: vrange at 0xffffd[0-9a-f]+: written, protected read-only, read back 3"
         "abi_test_cpp: framebuffer 1024x768, 32 bpp, pitch 4096"
         "abi_test_cpp: service lookup ok, counter 1"
         "modules: 2 loaded \\(abi_test_c, abi_test_cpp\\), 0 refused, 0 not needed, 1 boot files"
         "celos: ready"
  REJECT "error:" "PANIC")

# Bad parameters are reported; the module still loads with its defaults. (A
# string longer than its parameter holds refuses the module instead: see
# boot_file_long_names.)
celos_boot_test(module_bad_parameters MODULE_DIRS ${ABI_MODULES}
  MODULE_LINES "module2 /boot/modules/abi_test_c.ko abi_test_c repeat=lots colour=red"
  EXPECT "module abi_test_c: parameter 'repeat': bad value 'lots' \\(expected a 64-bit integer"
         "module abi_test_c: unknown parameter 'colour' ignored \\(parameters: repeat \\(int\\), loud \\(bool\\), greeting \\(string\\), file \\(string\\)\\)"
         "abi_test_c: hello from C \\(2 of 2\\)"
         "modules: 1 loaded"
         "celos: ready")

# A module whose init fails after taking pages, a range, a service and an
# export leaves nothing behind; the one that needs it is refused; the boot goes on.
celos_boot_test(module_init_fails MODULE_DIRS ${ABI_MODULES}
  MODULE_LINES "module2 /boot/modules/abi_test_fail.ko abi_test_fail"
               "module2 /boot/modules/abi_test_c.ko abi_test_c"
  EXPECT "abi_test_fail: took 8 pages, a 16-page range and a service, now failing on purpose"
         "module abi_test_fail: refused: init: init returned CELOS_ERR_NO_MEMORY \\(out of memory\\)"
         "module abi_test_fail: released everything: free pages ([0-9]+) -> \\1 \\(counting those in live ranges and page tables\\), module-area pages ([0-9]+) -> \\2"
         "modules: 1 loaded \\(abi_test_c\\), 1 refused, 0 not needed, 0 boot files"
         "  refused abi_test_fail: init: init returned CELOS_ERR_NO_MEMORY"
         "celos: ready"
  REJECT "LEAK")

# A fault in a module names the module's function; in init it is contained.
celos_boot_test(module_fault_report MODULE_DIRS ${ABI_MODULES}
  MODULE_LINES "module2 /boot/modules/abi_test_fail.ko abi_test_fail crash=on"
  EXPECT "FAULT in the init of module abi_test_fail: CPU exception #UD invalid opcode"
         "faulting address \\(rip\\): 0xffffffff[ab][0-9a-f]+ abi_test_fail:abi_test_fail_crash\\+0x"
         "#[0-9]+ +0xffffffff[ab][0-9a-f]+ abi_test_fail:abi_test_fail_init\\+0x"
         "module abi_test_fail: released everything"
         "celos: ready"
  REJECT "PANIC" "LEAK")

# Fault containment (core/module/init_guard.cpp): tests/abi/modules/fault_test.c
# takes pages, a range, heap blocks, a service and an export, then faults in
# init. The report names the function, the module is unloaded with all of it
# released (free pages, module-area pages and heap bytes as before), the
# boot goes on and the console, loaded before, keeps working.
set(FAULT_TEST_MODULES "module2 /boot/modules/heap.ko heap"
    "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
    "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf"
    "module2 /boot/modules/fbcon.ko fbcon")
set(FAULT_pf_REPORT "CPU exception #PF page fault \\(vector 14\\)")
set(FAULT_gp_REPORT "CPU exception #GP general protection fault \\(vector 13\\)")
set(FAULT_ud_REPORT "CPU exception #UD invalid opcode \\(vector 6\\)")
set(FAULT_de_REPORT "CPU exception #DE divide error \\(vector 0\\)")
set(FAULT_sink-init_REPORT "${FAULT_ud_REPORT}")
set(FAULT_own-stack_REPORT "${FAULT_pf_REPORT}")
set(FAULT_own-stack_WHERE "faulting address \\(rip\\): 0xffffffff[ab][0-9a-f]+ fault_test:fault_test_stack_pf\\+0x")
set(FAULT_pf_WHERE "faulting address \\(rip\\): 0xffffffff[ab][0-9a-f]+ fault_test:fault_test_pf\\+0x")
set(FAULT_gp_WHERE "faulting address \\(rip\\): 0xffffffff[ab][0-9a-f]+ fault_test:fault_test_gp\\+0x")
set(FAULT_ud_WHERE "faulting address \\(rip\\): 0xffffffff[ab][0-9a-f]+ fault_test:fault_test_ud\\+0x")
set(FAULT_de_WHERE "faulting address \\(rip\\): 0xffffffff[ab][0-9a-f]+ fault_test:fault_test_de\\+0x")
set(FAULT_sink-init_WHERE "faulting address \\(rip\\): 0xffffffff[ab][0-9a-f]+ fault_test:fault_test_emit\\+0x")
set(FAULT_assert_REPORT
    "panic: assertion failed: pages == 5 \\(.*fault_test\\.c:[0-9]+\\) \\(called from fault_test:fault_test_assert\\+0x")
set(FAULT_assert_WHERE "#[0-9]+ +0xffffffff[ab][0-9a-f]+ fault_test:fault_test_init\\+0x")
set(FAULT_panic_REPORT
    "panic: fault_test: giving up on purpose with 4 pages \\(called from fault_test:fault_test_init\\+0x")
set(FAULT_panic_WHERE "backtrace \\(kernel\\):")
foreach(fault pf gp ud de assert panic own-stack sink-init)
  set(screen "")
  if(fault STREQUAL "pf")
    # The whole screen as the console code renders the serial log on the host.
    set(screen RENDER_FONT ${CELOS_MODULES_DIR}/Lat15-Terminus16.psf RENDER_BPP 32)
  endif()
  celos_boot_test(module_init_fault_${fault} MODULE_DIRS ${ABI_MODULES} ${screen}
    MODULE_LINES ${FAULT_TEST_MODULES} "module2 /boot/modules/fault_test.ko fault_test fault=${fault}"
    EXPECT "fbcon: 1024x768, 32 bpp: 126x47 cells of 8x16"
           "fault_test: took 4 pages, an 8-page range, 2 heap blocks \\([0-9]+ bytes\\), a service and an export, fault=${fault}"
           "FAULT in the init of module fault_test: ${FAULT_${fault}_REPORT}"
           "${FAULT_${fault}_WHERE}"
           "module fault_test: init abandoned after the fault, the module is unloaded"
           "module fault_test: refused: init: init returned CELOS_ERR_FAULT \\(the code faulted\\)"
           "module fault_test: freed 2 heap blocks it still held"
           "module fault_test: released everything: free pages ([0-9]+) -> \\1 \\(counting those in live ranges and page tables\\), module-area pages ([0-9]+) -> \\2, heap bytes ([0-9]+) -> \\3"
           "modules: 3 loaded \\(heap, psf, fbcon\\), 1 refused, 0 not needed, 1 boot files"
           "celos: ready"
    REJECT "PANIC" "LEAK" "did not fault"
    SCREEN_SIZE 1024x768 SCREEN_PIXELS 0,0,101418)
endforeach()

# A module whose init registers a log sink over its heap memory and then
# fails: the loader removes the sink before freeing the module's heap blocks
# and logging about it (else the sink reads freed memory and faults: a panic).
celos_boot_test(module_init_fails_with_sink MODULE_DIRS ${ABI_MODULES}
  MODULE_LINES "module2 /boot/modules/heap.ko heap" "module2 /boot/modules/fault_test.ko fault_test fault=sink-fail"
  EXPECT "fault_test: a sink that reads its heap block on every line, then init fails"
         "module fault_test: refused: init: init returned CELOS_ERR_INVALID"
         "module fault_test: freed 3 heap blocks it still held"
         "module fault_test: released everything"
         "celos: ready"
  REJECT "PANIC" "LEAK")

# A module that took the screen and faulted in init: once it is unloaded the
# core takes the screen back (cleared, the status band green at ready), so
# no half-drawn screen is left.
celos_boot_test(module_init_fault_screen MODULE_DIRS ${ABI_MODULES}
  MODULE_LINES "module2 /boot/modules/heap.ko heap" "module2 /boot/modules/fault_test.ko fault_test fault=pf screen=on"
  EXPECT "fault_test: took the framebuffer and painted it"
         "FAULT in the init of module fault_test: ${FAULT_pf_REPORT}"
         "module fault_test: released everything"
         "celos: ready"
  REJECT "PANIC" "LEAK"
  SCREEN_SIZE 1024x768 SCREEN_PIXELS 0,0,22c55e 1023,5,22c55e 512,400,14161a 1023,767,14161a)

# A fault outside init is a panic with the same report: the module's log
# sink faults on the first line after its init returned. The sink is
# removed before the report, which therefore reaches serial.
celos_boot_test(module_fault_outside_init MODULE_DIRS ${ABI_MODULES} EXIT panic
  MODULE_LINES "module2 /boot/modules/heap.ko heap" "module2 /boot/modules/fault_test.ko fault_test fault=sink"
  EXPECT "fault_test: init returns, the sink faults on the next line"
         "PANIC: CPU exception #UD invalid opcode \\(vector 6\\)"
         "faulting address \\(rip\\): 0xffffffff[ab][0-9a-f]+ fault_test:fault_test_emit\\+0x"
         "celos: panic, stopping the machine"
  REJECT "FAULT in the init")

# Every malformed module of tests/fixtures (one per loader check) beside the
# good ones: each is refused with its own message, by name, and the boot
# reaches the ready line with the good modules running.
celos_boot_test(modules_malformed MODULE_DIRS ${ABI_MODULES} BAD_MODULES ${CELOS_LOADER_FIXTURES_DIR}
  MODULE_LINES "module2 /boot/modules/abi_test_cpp.ko abi_test_cpp"
               "module2 /boot/modules/abi_test_c.ko abi_test_c"
  EXPECT "module bad_depends_missing: refused: depends on 'no_such_module', which is not among the boot modules"
         "module bad_export_clash: refused: exports: duplicate export 'abi_test_c_add' \\(already exported by abi_test_c\\)"
         "module bad_export_clash: released everything: free pages ([0-9]+) -> \\1 \\(counting those in live ranges and page tables\\), module-area pages ([0-9]+) -> \\2"
         "module bad_cycle_a: refused: dependency cycle: bad_cycle_a -> bad_cycle_b -> bad_cycle_a"
         "modules: 2 loaded \\(abi_test_c, abi_test_cpp\\), 36 refused, 0 not needed, 0 boot files"
         "  refused bad_abi_too_new: .*ABI 2\\.0 is newer than the core's 1\\.[0-9]+"
         "celos: ready"
  REJECT "PANIC" "LEAK")

# --- the heap module (modules/heap) -----------------------------------------

# The selftest entry of the shipped grub.cfg: the heap runs its own tests in
# the kernel, then the kernel's selftest passes.
celos_boot_test(heap_selftest_entry ISO ${CMAKE_BINARY_DIR}/celos-selftest.iso EXIT success KTAP
  EXPECT "module heap 1\\.0: text"
         "heap: ready: checks on"
         "heap: in-kernel tests passed \\([0-9]+ checks\\)"
         "heap: [0-9]+ KiB in [0-9]+ blocks \\(peak [0-9]+ KiB in [0-9]+ blocks\\)"
  REJECT "error:")

# A C++ module on the heap: new (nothrow), kmalloc, krealloc; the summary
# line at the end of the boot shows what it still holds.
celos_boot_test(heap_user MODULE_DIRS ${ABI_MODULES}
  MODULE_LINES "module2 /boot/modules/heap_user.ko heap_user"
               "module2 /boot/modules/heap.ko heap"
  EXPECT "module heap 1\\.0: text"
         "heap_user: 100 nodes summed to 5050, krealloc kept 'grow me' \\([0-9]+ usable bytes\\)"
         "heap:   heap_user +[0-9]+ bytes in [0-9]+ blocks now"
         "celos: ready"
  REJECT "error:" "PANIC")

# Without heap.ko, the module that needs it is refused, naming the symbols it
# lacks; the boot goes on.
celos_boot_test(heap_missing MODULE_DIRS ${ABI_MODULES}
  MODULE_LINES "module2 /boot/modules/heap_user.ko heap_user"
  EXPECT "module heap_user: refused: depends on 'heap', which is not among the boot modules \\(without it, unresolved: .*kmalloc"
         "celos: ready")

# Link errors with their reasons (issue 13), one boot per fixture module
# (tests/abi/modules/link_*), beside heap: the loader's words are the build
# check's (abi.link_check.*). link_nodep uses heap's kmalloc without
# depending on heap: refused whether heap's line comes first or last.
foreach(fixture IN LISTS CELOS_LINK_FIXTURES)
  celos_boot_test(module_link_${fixture} MODULE_DIRS ${ABI_MODULES}
    MODULE_LINES "module2 /boot/modules/heap.ko heap"
                 "module2 /boot/modules/${fixture}.ko ${fixture}"
    EXPECT "module ${fixture}: refused: linking: unresolved symbols: ${CELOS_LINK_REASON_${fixture}}"
           "modules: 1 loaded \\(heap\\), 1 refused"
           "celos: ready"
    REJECT "PANIC" "LEAK")
endforeach()
celos_boot_test(module_link_link_nodep_first MODULE_DIRS ${ABI_MODULES}
  MODULE_LINES "module2 /boot/modules/link_nodep.ko link_nodep"
               "module2 /boot/modules/heap.ko heap"
  EXPECT "module link_nodep: refused: linking: unresolved symbols: ${CELOS_LINK_REASON_link_nodep}"
         "modules: 1 loaded \\(heap\\), 1 refused"
         "celos: ready"
  REJECT "PANIC" "LEAK")

# Hardening: each bug is reported with the block's size and the function
# that did it (module:symbol+offset), then a panic.
foreach(bug double_free overflow invalid_free use_after_free)
  set(fn heap_user_${bug})
  if(bug STREQUAL "overflow")
    set(what "buffer overflow past the end of a block")
  elseif(bug STREQUAL "double_free")
    set(what "double free")
  elseif(bug STREQUAL "invalid_free")
    set(what "invalid free")
  else()
    set(what "write after free")
  endif()
  celos_boot_test(heap_${bug} MODULE_DIRS ${ABI_MODULES} EXIT panic
    MODULE_LINES "module2 /boot/modules/heap.ko heap check=on"
                 "module2 /boot/modules/heap_user.ko heap_user bug=${bug}"
    EXPECT "heap: ${what}.* at heap_user:"
           "PANIC: heap: ${what}")
endforeach()

# --- the shipped modules' exits and the font swap -------------------------
# Each shipped module undoes its init in its exit, so that it can go and come
# back in the same boot. The selftest's load/unload cycles
# (core/ktest/module_cycles.cpp) run on psf.ko, given as the boot file
# cycle_test.ko: 1000 loads and unloads, the heap kept under it, free pages,
# ranges and heap bytes as before. (truetype.ko and fbcon.ko pass the same,
# named cycle_test.ko like this, fbcon over heap and psf: by hand, as their
# cycles take 90 to 160 ms each under TCG, hashing and opening the font,
# drawing and presenting a whole screen.)
celos_boot_test(module_cycles_psf CMDLINE selftest EXIT success TIMEOUT 150
  MODULE_LINES "module2 /boot/modules/heap.ko heap"
               "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
               "module2 /boot/modules/psf.ko cycle_test.ko"
  KTAP_EXPECT "module_cycles=ok" "module_cycles.module_holds_resources=ok"
              "module_cycles.heap_kept_while_needed=ok" "module_cycles.resources_unchanged=ok"
  EXPECT "module cycles: 1000 loads and unloads of cycle_test.ko in [0-9]+ ms"
  REJECT "LEAK" "error:")
# A font module with replace=on, started after the console, replaces the
# font: fbcon (which holds the font with a watch) lays its grid out for the
# new cell and draws the log again with it, so the screen is the whole log
# drawn in the new font, pixel for pixel; the old font's module is no longer
# a provider (it stays loaded until unloaded). Both ways.
if(TARGET truetype)
  celos_boot_test(font_swap_psf_to_truetype
    MODULE_LINES "module2 /boot/modules/heap.ko heap"
                 "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
                 "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf"
                 "module2 /boot/modules/fbcon.ko fbcon"
                 "module2 /boot/modules/DejaVuSansMono.ttf DejaVuSansMono.ttf"
                 "module2 /boot/modules/truetype.ko truetype font=DejaVuSansMono.ttf replace=on"
    EXPECT "fbcon: 1024x768, 32 bpp: 126x47 cells of 8x16 with font 'psf:Lat15-Terminus16.psf'"
           "fbcon: font replaced: psf:Lat15-Terminus16.psf -> truetype:DejaVuSansMono.ttf@16, 100x39 cells of 10x19"
           "service 'font': truetype replaces psf \\(1 holders switched\\)"
           "truetype: DejaVuSansMono.ttf: DejaVu Sans Mono Book, .*, replacing the font"
           "modules: 4 loaded \\(heap, psf, fbcon, truetype\\)"
           "celos: ready"
    REJECT "error:" "warn:"
    RENDER_FONT ${CELOS_MODULES_DIR}/DejaVuSansMono.ttf RENDER_BPP 32
    RENDER_OTHER_FONT ${CELOS_MODULES_DIR}/Lat15-Terminus16.psf)
  celos_boot_test(font_swap_truetype_to_psf
    MODULE_LINES "module2 /boot/modules/heap.ko heap"
                 "module2 /boot/modules/DejaVuSansMono.ttf DejaVuSansMono.ttf"
                 "module2 /boot/modules/truetype.ko truetype font=DejaVuSansMono.ttf"
                 "module2 /boot/modules/fbcon.ko fbcon"
                 "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
                 "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf replace=on"
    EXPECT "fbcon: font replaced: truetype:DejaVuSansMono.ttf@16 -> psf:Lat15-Terminus16.psf, 126x47 cells of 8x16"
           "service 'font': psf replaces truetype \\(1 holders switched\\)"
           "psf: Lat15-Terminus16.psf: PSF1, 256 glyphs of 8x16, .*, replacing the font"
           "celos: ready"
    REJECT "error:" "warn:"
    RENDER_FONT ${CELOS_MODULES_DIR}/Lat15-Terminus16.psf RENDER_BPP 32
    RENDER_OTHER_FONT ${CELOS_MODULES_DIR}/DejaVuSansMono.ttf)
endif()

# The set-up for a font swap after boot: heap, truetype and fbcon started,
# psf.ko and its font only boot files, for module_load_file("psf.ko",
# "replace=on") from the in-kernel tests (core/ktest) once they drive it.
if(TARGET truetype)
  celos_boot_test(font_swap_boot_files
    MODULE_LINES "module2 /boot/modules/heap.ko heap"
                 "module2 /boot/modules/DejaVuSansMono.ttf DejaVuSansMono.ttf"
                 "module2 /boot/modules/truetype.ko truetype font=DejaVuSansMono.ttf"
                 "module2 /boot/modules/fbcon.ko fbcon"
                 "module2 /boot/modules/psf.ko psf.ko"
                 "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
    EXPECT "boot file 'psf.ko': [0-9]+ bytes"
           "fbcon: 1024x768, 32 bpp: 100x39 cells of 10x19 with font 'truetype:DejaVuSansMono.ttf@16'"
           "modules: 3 loaded \\(heap, truetype, fbcon\\), 0 refused, 0 not needed, 3 boot files"
           "celos: ready"
    REJECT "error:" "warn:")
endif()
