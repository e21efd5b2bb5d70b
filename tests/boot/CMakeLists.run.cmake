# What `./celos run` boots (tools/run_config.py): a module set, boot files,
# fonts and a kernel command line from its options, and the GRUB menu on
# serial. The option checks and the ISO's freshness are unit tests
# (tests/tools/test_run_config.py).

# --module by name, in order, a shipped font named by font= put on the ISO
# by itself, and --cmdline.
celos_boot_test(run_modules
  RUN_ARGS --module heap "--module=psf font=Lat15-Terminus16.psf" --module fbcon --cmdline nokaslr
  EXPECT "command line: 'nokaslr'" "boot file 'Lat15-Terminus16.psf'"
         "fbcon: 1024x768, 32 bpp: .* with font 'psf:Lat15-Terminus16.psf'"
         "modules: 3 loaded \\(heap, psf, fbcon\\), 0 refused, 0 not needed, 1 boot files" "celos: ready"
  REJECT "error:" "PANIC" "truetype")

# --module with a path to a .ko, then its parameters by the module's name,
# and --file: a boot file the module reads. Characters special to GRUB's
# script reach the module and the kernel as typed.
celos_boot_test(run_module_path
  RUN_ARGS --module ${ABI_MODULES}/abi_test_c.ko "--module=abi_test_c greeting=$x|y repeat=1 file=hello.txt"
           --file ${CMAKE_SOURCE_DIR}/tests/abi/modules/hello.txt "--cmdline=nokaslr #1"
  EXPECT "command line: 'nokaslr #1'" "\\$x\\|y from C \\(1 of 1\\)"
         "boot file 'hello.txt': [0-9]+ bytes, first line 'Hello from a boot file, CelOS!'"
         "modules: 1 loaded \\(abi_test_c\\), 0 refused, 0 not needed, 1 boot files" "celos: ready"
  REJECT "error:" "PANIC")

# --font with fonts the project does not ship: TrueType (with --size), CFF
# OpenType and a gzipped PSF console font; the provider follows the file.
if(TARGET truetype)
  set(DEJAVU_SANS /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf)
  set(NIMBUS_MONO_BOLD /usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Bold.otf)
  if(EXISTS ${DEJAVU_SANS})
    celos_boot_test(run_font_ttf RUN_ARGS --font ${DEJAVU_SANS} --size 20
      EXPECT "boot file 'DejaVuSans.ttf'"
             "fbcon: 1024x768, 32 bpp: .* with font 'truetype:DejaVuSans.ttf@20'"
             "modules: 7 loaded \\(heap, ps2kbd, serial_input, bochs, truetype, fbcon, shell\\), 0 refused, 2 not needed" "celos: ready"
      REJECT "error:" "PANIC")
  endif()
  if(EXISTS ${NIMBUS_MONO_BOLD})
    celos_boot_test(run_font_otf RUN_ARGS --font ${NIMBUS_MONO_BOLD}
      EXPECT "boot file 'NimbusMonoPS-Bold.otf'"
             "fbcon: 1024x768, 32 bpp: .* with font 'truetype:NimbusMonoPS-Bold.otf@16'"
             "modules: 7 loaded \\(heap, ps2kbd, serial_input, bochs, truetype, fbcon, shell\\), 0 refused, 2 not needed" "celos: ready"
      REJECT "error:" "PANIC")
  endif()
endif()
if(EXISTS /usr/share/consolefonts/Lat2-Terminus16.psf.gz)
  celos_boot_test(run_font_psf RUN_ARGS --font /usr/share/consolefonts/Lat2-Terminus16.psf.gz
    EXPECT "boot file 'Lat2-Terminus16.psf'"
           "fbcon: 1024x768, 32 bpp: .* with font 'psf:Lat2-Terminus16.psf'"
           "modules: 7 loaded \\(heap, ps2kbd, serial_input, bochs, psf, fbcon, shell\\), 0 refused, 1 not needed" "celos: ready"
    REJECT "error:" "PANIC" "truetype")
endif()

# The GRUB menu on serial, BIOS and UEFI: in plain ASCII; Ctrl-N three times
# picks the fourth entry (serial), `e` edits it, and the kernel command line
# typed at the end of its multiboot2 line (two lines down) boots.
foreach(firmware bios uefi)
  set(uefi_flag "")
  if(firmware STREQUAL "uefi")
    set(uefi_flag UEFI)
  endif()
  celos_boot_test(grub_menu_serial_${firmware} ${uefi_flag} MENU_TIMEOUT 60 TIMEOUT 120
    SERIAL_INPUT "executed automatically=><C-N><C-N><C-N>e" "Emacs-like=><C-N><C-N><C-E> nokaslr<C-X>"
    EXPECT "\\+-{70,}\\+" "CelOS \\(serial only: heap, no console\\)"
           "command line: 'nokaslr'" "modules: 3 loaded \\(heap, serial_input, shell\\)" "celos: ready"
    REJECT "PANIC" "[^\\x00-\\x7f]")
endforeach()
