# Display drivers (issue 16): bochs on QEMU's standard VGA and on
# bochs-display, virtio_gpu on virtio-gpu-pci (no VGA: under the BIOS GRUB
# gives no framebuffer) and on virtio-vga, under the BIOS and UEFI. Each
# screendump has the size the driver was asked for and equals, pixel for
# pixel, the host rendering of the serial log at that size
# (tests/boot/render_log.cpp). A driver without its device declines as not
# needed and bootfb carries on; a mode past the video memory leaves bootfb.
set(DISPLAY_FONT ${CELOS_MODULES_DIR}/Lat15-Terminus16.psf)
set(DISPLAY_FIRST "module2 /boot/modules/heap.ko heap"
                  "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
                  "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf")
set(DISPLAY_FBCON "module2 /boot/modules/fbcon.ko fbcon")

foreach(fw bios uefi)
  set(uefi_flag)
  if(fw STREQUAL "uefi")
    set(uefi_flag UEFI)
  endif()
  celos_boot_test(display_std_bochs_1280x720_${fw} ${uefi_flag} GPU std
    MODULE_LINES ${DISPLAY_FIRST} "module2 /boot/modules/bochs.ko bochs mode=1280x720" ${DISPLAY_FBCON}
    EXPECT "bochs: standard VGA .*: 1280x720, 32 bpp, virtual height 1440" "fbcon: 1280x720, 32 bpp"
           "celos: ready"
    SCREEN_SIZE 1280x720 RENDER_FONT ${DISPLAY_FONT} RENDER_BPP 32)
  celos_boot_test(display_bochs_1920x1080_${fw} ${uefi_flag} GPU bochs
    MODULE_LINES ${DISPLAY_FIRST} "module2 /boot/modules/bochs.ko bochs mode=1920x1080" ${DISPLAY_FBCON}
    EXPECT "bochs: bochs-display .*: 1920x1080, 32 bpp, virtual height 2160" "fbcon: 1920x1080, 32 bpp"
           "celos: ready"
    SCREEN_SIZE 1920x1080 RENDER_FONT ${DISPLAY_FONT} RENDER_BPP 32)
  celos_boot_test(display_virtio_1280x800_${fw} ${uefi_flag} GPU virtio
    MODULE_LINES ${DISPLAY_FIRST} "module2 /boot/modules/virtio_gpu.ko virtio_gpu mode=1280x800" ${DISPLAY_FBCON}
    EXPECT "virtio_gpu: virtio-gpu .*: scanout 0 at 1280x800" "fbcon: 1280x800, 32 bpp" "celos: ready"
    SCREEN_SIZE 1280x800 RENDER_FONT ${DISPLAY_FONT} RENDER_BPP 32)
  celos_boot_test(display_virtio_vga_1280x800_${fw} ${uefi_flag} GPU virtio-vga
    MODULE_LINES ${DISPLAY_FIRST} "module2 /boot/modules/virtio_gpu.ko virtio_gpu mode=1280x800" ${DISPLAY_FBCON}
    EXPECT "service 'display': virtio_gpu replaces core" "virtio_gpu: virtio-gpu .*: scanout 0 at 1280x800"
           "fbcon: 1280x800, 32 bpp" "celos: ready"
    SCREEN_SIZE 1280x800 RENDER_FONT ${DISPLAY_FONT} RENDER_BPP 32)
endforeach()

# Without its device a driver is not needed; bootfb carries on at GRUB's mode.
celos_boot_test(display_driver_absent GPU std
  MODULE_LINES ${DISPLAY_FIRST} "module2 /boot/modules/virtio_gpu.ko virtio_gpu" ${DISPLAY_FBCON}
  EXPECT "virtio_gpu: no virtio GPU \\(PCI 1af4:1050, virtio 1.x\\): not needed"
         "module virtio_gpu: not needed \\(init returned CELOS_ERR_NO_DEVICE: the device it drives is absent\\)"
         "fbcon: 1024x768, 32 bpp" "  not needed virtio_gpu: the device it drives is absent" "celos: ready"
  SCREEN_SIZE 1024x768 RENDER_FONT ${DISPLAY_FONT} RENDER_BPP 32)
# A mode past the video memory (16 MiB): a clear error, bootfb stays.
celos_boot_test(display_bochs_mode_too_large GPU std
  MODULE_LINES ${DISPLAY_FIRST} "module2 /boot/modules/bochs.ko bochs mode=4096x2160" ${DISPLAY_FBCON}
  EXPECT "error: bochs: standard VGA: mode 4096x2160: mode larger than the video memory"
         "fbcon: 1024x768, 32 bpp" "celos: ready"
  SCREEN_SIZE 1024x768 RENDER_FONT ${DISPLAY_FONT} RENDER_BPP 32)
# A malformed mode= : the driver declines naming it.
celos_boot_test(display_bochs_mode_malformed GPU std
  MODULE_LINES ${DISPLAY_FIRST} "module2 /boot/modules/bochs.ko bochs mode=big" ${DISPLAY_FBCON}
  EXPECT "error: bochs: mode=big: expected WIDTHxHEIGHT" "fbcon: 1024x768, 32 bpp" "celos: ready"
  SCREEN_SIZE 1024x768 RENDER_FONT ${DISPLAY_FONT} RENDER_BPP 32)

# The shipped default entry on each device comes up with a readable console
# (the standard VGA: boot.ready_bios and boot.ready_uefi): bochs-display at
# the boot loader's mode (1024x768; under the BIOS, with no VGA, GRUB gives
# none and bochs sets 1024x768), virtio-gpu at the host's preferred mode.
foreach(fw bios uefi)
  set(uefi_flag)
  if(fw STREQUAL "uefi")
    set(uefi_flag UEFI)
  endif()
  celos_boot_test(display_default_entry_bochs_${fw} ${uefi_flag} GPU bochs ISO ${CMAKE_BINARY_DIR}/celos.iso
    EXPECT "bochs: bochs-display .*: 1024x768, 32 bpp" "virtio_gpu: no virtio GPU"
           "fbcon: 1024x768, 32 bpp: .* with font 'truetype:DejaVuSansMono.ttf@16'" "celos: ready"
    REJECT "error:" "PANIC"
    SCREEN_SIZE 1024x768 SCREEN_PIXELS 0,0,101418 1023,767,101418)
  foreach(gpu virtio virtio-vga)
    celos_boot_test(display_default_entry_${gpu}_${fw} ${uefi_flag} GPU ${gpu} ISO ${CMAKE_BINARY_DIR}/celos.iso
      EXPECT "bochs: no QEMU standard VGA or bochs-display" "virtio_gpu: virtio-gpu .*: scanout 0 at 1280x800"
             "fbcon: 1280x800, 32 bpp: .* with font 'truetype:DejaVuSansMono.ttf@16'" "celos: ready"
      REJECT "error:" "PANIC"
      SCREEN_SIZE 1280x800 SCREEN_PIXELS 0,0,101418 1279,799,101418)
  endforeach()
endforeach()

# A mode change at run time (a test module calls the display's set_mode
# after fbcon started): the console lays its grid out again and draws the
# log; the screen has the new size and equals the host rendering at it.
foreach(fw bios uefi)
  set(uefi_flag)
  if(fw STREQUAL "uefi")
    set(uefi_flag UEFI)
  endif()
  celos_boot_test(display_mode_change_${fw} ${uefi_flag} GPU std MODULE_DIRS ${ABI_MODULES}
    MODULE_LINES ${DISPLAY_FIRST} "module2 /boot/modules/bochs.ko bochs" ${DISPLAY_FBCON}
                 "module2 /boot/modules/display_mode.ko display_mode width=800 height=600"
    EXPECT "fbcon: 1024x768, 32 bpp" "display_mode: lspci: 00:0[12].0 1234:1111 VGA-compatible controller \\(class 030000"
           "display_mode: lspci:         BAR 0: memory32 at 0x[0-9a-f]+, 16384 KiB"
           "display_mode: display 'bochs' offers [0-9]+ modes, setting 800x600"
           "fbcon: display bochs -> bochs: 800x600, 32 bpp: 98x36 cells" "bochs: mode 800x600"
           "display_mode: set_mode: CELOS_OK, the display is 800x600" "celos: ready"
    SCREEN_SIZE 800x600 RENDER_FONT ${DISPLAY_FONT} RENDER_BPP 32)
endforeach()
# The same on virtio-gpu (no VGA): a new resource of the new size on the scanout.
celos_boot_test(display_mode_change_virtio GPU virtio MODULE_DIRS ${ABI_MODULES}
  MODULE_LINES ${DISPLAY_FIRST} "module2 /boot/modules/virtio_gpu.ko virtio_gpu" ${DISPLAY_FBCON}
               "module2 /boot/modules/display_mode.ko display_mode width=1024 height=768"
  EXPECT "fbcon: 1280x800, 32 bpp" "display_mode: display 'virtio_gpu' offers 1 modes, setting 1024x768"
         "fbcon: display virtio_gpu -> virtio_gpu: 1024x768, 32 bpp: 126x47 cells" "virtio_gpu: mode 1024x768 on scanout 0"
         "display_mode: set_mode: CELOS_OK, the display is 1024x768" "celos: ready"
  REJECT "error:"
  SCREEN_SIZE 1024x768 RENDER_FONT ${DISPLAY_FONT} RENDER_BPP 32)
# A driver that starts after the console replaces bootfb under it: fbcon
# follows through its watch, lays the grid out for the new mode and draws
# the log again.
celos_boot_test(display_driver_replaces_bootfb GPU std
  MODULE_LINES ${DISPLAY_FIRST} ${DISPLAY_FBCON} "module2 /boot/modules/bochs.ko bochs mode=1280x720"
  EXPECT "fbcon: 1024x768, 32 bpp" "fbcon: display bootfb -> bochs: 1280x720, 32 bpp: 158x44 cells"
         "service 'display': bochs replaces core \\(1 holders switched\\)" "celos: ready"
  REJECT "error:"
  SCREEN_SIZE 1280x720 RENDER_FONT ${DISPLAY_FONT} RENDER_BPP 32)
