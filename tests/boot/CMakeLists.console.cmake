# The console (modules/fbcon) with the bitmap (modules/psf) and TrueType
# (modules/truetype) fonts, included from tests/boot/CMakeLists.txt: the
# screen against the host rendering of the same log, text mode, broken and
# missing fonts.
# --- the console ----------------------------------------------------------
# The screen equals, pixel for pixel, what the same console code renders on
# the host from the serial log (tests/boot/render_log.cpp): at 1024x768x32
# (the shipped default entry) and at 1024x768x16 (565, through gfxpayload).
set(CONSOLE_FONT ${CELOS_MODULES_DIR}/Lat15-Terminus16.psf)
set(TRUETYPE_FONT ${CELOS_MODULES_DIR}/DejaVuSansMono.ttf)
set(BITMAP_LINES "module2 /boot/modules/heap.ko heap"
                 "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
                 "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf"
                 "module2 /boot/modules/fbcon.ko fbcon")
# Text from outside the core shows its control characters (issue 11, item
# 5): an ESC [2J in a command-line word and in a module parameter reaches the
# log as "^[[2J" and wipes nothing; the screen is the whole log, drawn.
# (<CSI> is ESC [ in boot_test.py's arguments.)
celos_boot_test(log_controls_visible CMDLINE "<CSI>2J"
  MODULE_LINES "module2 /boot/modules/heap.ko heap"
               "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
               "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf"
               "module2 /boot/modules/fbcon.ko fbcon <CSI>2J<CSI>H=1"
  EXPECT "command line: '\\^\\x5b\\x5b2J'"
         "command line: unknown option '\\^\\x5b\\x5b2J' ignored"
         "module fbcon: unknown parameter '\\^\\x5b\\x5b2J\\^\\x5b\\x5bH' ignored" "celos: ready"
  REJECT "<ESC>"
  RENDER_FONT ${CONSOLE_FONT} RENDER_BPP 32)
# Where no console can draw, the core says so on screen: EGA text mode gets
# a status line and a note that the log is on serial.
celos_boot_test(text_mode_says_serial GFXPAYLOAD text MODULE_LINES ${BITMAP_LINES}
  EXPECT "framebuffer: 80x25, 16 bpp, pitch 160, EGA text" "fbcon: .*the console stays on serial" "celos: ready"
  TEXT_SCREEN "^ CelOS: ready"
              "EGA text mode: the console needs a linear RGB framebuffer"
              "the kernel log is on the serial port only \\(COM1, 115200 baud, 8N1\\)")
# (Indexed 8 bpp modes are host-tested, tests/unit/test_boot_screen.cpp:
# GRUB 2.06 triple-faults in QEMU setting one, before the kernel runs.)

# quiet: the console shows only warnings and errors (here the unknown
# option's warning, next to the command line), pixel for pixel the
# rendering of those lines of the serial log, which keeps everything.
# loglevel=0: errors only (a module refused for a link error).
celos_boot_test(console_quiet CMDLINE "quiet frobnicate=1" MODULE_LINES ${BITMAP_LINES}
  EXPECT "command line: 'quiet frobnicate=1'" "command line: unknown option 'frobnicate' ignored"
         "fbcon: 1024x768, 32 bpp" "celos: ready"
  RENDER_FONT ${CONSOLE_FONT} RENDER_BPP 32 RENDER_LOGLEVEL 1 RENDER_OTHER_FONT ${TRUETYPE_FONT})
celos_boot_test(console_loglevel_0 CMDLINE "loglevel=0 frobnicate=1" MODULE_DIRS ${ABI_MODULES}
  MODULE_LINES ${BITMAP_LINES} "module2 /boot/modules/link_core.ko link_core"
  EXPECT "command line: unknown option 'frobnicate' ignored"
         "module link_core: refused: linking: unresolved symbols: kernel_main is not exported by the core"
         "celos: ready"
  RENDER_FONT ${CONSOLE_FONT} RENDER_BPP 32 RENDER_LOGLEVEL 0)

# The bitmap console, pixel for pixel, at 32 and 16 bpp; the screen differs
# from the same log drawn in the TrueType font.
celos_boot_test(console_pixels_32bpp MODULE_LINES ${BITMAP_LINES}
  EXPECT "fbcon: 1024x768, 32 bpp: 126x47 cells of 8x16" "celos: ready"
  RENDER_FONT ${CONSOLE_FONT} RENDER_BPP 32 RENDER_OTHER_FONT ${TRUETYPE_FONT})
celos_boot_test(console_pixels_16bpp GFXPAYLOAD 1024x768x16 MODULE_LINES ${BITMAP_LINES}
  EXPECT "framebuffer: 1024x768, 16 bpp" "fbcon: 1024x768, 16 bpp" "celos: ready"
  RENDER_FONT ${CONSOLE_FONT} RENDER_BPP 16)

# A font file that is not a font, and a font= file that is missing: each is
# a clear error, the console is refused for lack of a font, the boot goes on
# on serial.
celos_boot_test(console_corrupt_font MODULE_DIRS ${ABI_MODULES}
  MODULE_LINES "module2 /boot/modules/heap.ko heap"
               "module2 /boot/modules/corrupt.psf corrupt.psf"
               "module2 /boot/modules/psf.ko psf font=corrupt.psf"
               "module2 /boot/modules/fbcon.ko fbcon"
  EXPECT "psf: corrupt.psf: not a usable PSF font: "
         "module psf: refused: init: init returned CELOS_ERR_INVALID"
         "module fbcon: refused: needs the service 'font', which no started module provides"
         "celos: ready")
celos_boot_test(console_missing_font
  MODULE_LINES "module2 /boot/modules/heap.ko heap"
               "module2 /boot/modules/psf.ko psf font=nothere.psf"
               "module2 /boot/modules/fbcon.ko fbcon"
  EXPECT "psf: font file 'nothere.psf' not found"
         "module fbcon: refused: needs the service 'font'"
         "celos: ready")

# --- TrueType (modules/truetype) -------------------------------------------
if(TARGET truetype)
  # The shipped default entry, pixel for pixel against the host rendering of
  # its own log through the same console and glyph code (FreeType built for
  # the host from the same source and configuration); and not the screen the
  # bitmap font gives for that log: the swap works.
  celos_boot_test(console_pixels_truetype ISO ${CMAKE_BINARY_DIR}/celos.iso
    EXPECT "truetype: DejaVuSansMono.ttf: DejaVu Sans Mono Book, [0-9]+ glyphs, 16 px, cell 10x19"
           "fbcon: 1024x768, 32 bpp: 100x39 cells of 10x19 with font 'truetype:DejaVuSansMono.ttf@16'"
           "celos: ready"
    REJECT "error:"
    RENDER_FONT ${TRUETYPE_FONT} RENDER_BPP 32 RENDER_OTHER_FONT ${CONSOLE_FONT})
  # The other shipped family, at 16 bpp.
  celos_boot_test(console_pixels_truetype_liberation GFXPAYLOAD 1024x768x16
    MODULE_LINES "module2 /boot/modules/heap.ko heap"
                 "module2 /boot/modules/LiberationMono-Regular.ttf LiberationMono-Regular.ttf"
                 "module2 /boot/modules/truetype.ko truetype font=LiberationMono-Regular.ttf"
                 "module2 /boot/modules/fbcon.ko fbcon"
    EXPECT "truetype: LiberationMono-Regular.ttf: Liberation Mono Regular" "fbcon: 1024x768, 16 bpp" "celos: ready"
    REJECT "error:"
    RENDER_FONT ${CELOS_MODULES_DIR}/LiberationMono-Regular.ttf RENDER_BPP 16
    RENDER_OTHER_FONT ${TRUETYPE_FONT})

  # Faces and the fallback chain (issue 17). A kernel log line with CJK,
  # Hangul, Greek and Cyrillic (hello's greeting): the characters DejaVu
  # Sans Mono lacks come from GNU Unifont (fallback=, font.fallback.0), the
  # screen equal to the host rendering through the same chain and faces. An
  # italic face whose file is missing and a bold italic face that is not a
  # font are errors naming the file, and the module goes on with the others
  # (the shipped entry has both DejaVu faces: console_pixels_truetype
  # rejects any error). Faces are opened at first use (issue 14): the bold
  # face, never asked for, is not opened; Unifont's stand-in is in the chain
  # at boot (the greeting's CJK drawn as .notdef), and once the console has
  # asked it for a glyph truetype's main-loop task opens Unifont, which
  # replaces it: the screen is taken after that switch. Then the bitmap
  # entry's chain: the PSF font, and Unifont from truetype started with
  # role=fallback, likewise.
  if(EXISTS /usr/share/fonts/opentype/unifont/unifont.otf)
    celos_boot_test(console_font_chain_truetype
      MODULE_LINES "module2 /boot/modules/heap.ko heap"
                   "module2 /boot/modules/DejaVuSansMono.ttf DejaVuSansMono.ttf"
                   "module2 /boot/modules/DejaVuSansMono-Bold.ttf DejaVuSansMono-Bold.ttf"
                   "module2 /boot/modules/DejaVuSansMono-Oblique.ttf DejaVuSansMono-Oblique.ttf"
                   "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
                   "module2 /boot/modules/unifont.otf unifont.otf"
                   "module2 /boot/modules/truetype.ko truetype font=DejaVuSansMono.ttf bold=DejaVuSansMono-Bold.ttf italic=nothere.ttf bolditalic=Lat15-Terminus16.psf fallback=unifont.otf"
                   "module2 /boot/modules/fbcon.ko fbcon"
                   "module2 /boot/modules/hello.ko hello greeting=中文Ωж한글"
      UNTIL "fbcon: font chain: truetype:DejaVuSansMono.ttf@16, truetype:unifont.otf@16$"
      EXPECT "error: truetype: italic=nothere.ttf: font file 'nothere.ttf' not found .* italic is drawn from the regular face"
             "error: truetype: bolditalic=Lat15-Terminus16.psf: Lat15-Terminus16.psf: not a TrueType or OpenType font \\(it starts 36 04 02 10\\). bolditalic is drawn from the regular face"
             "truetype: faces of truetype:DejaVuSansMono.ttf@16 opened at first use: bold DejaVuSansMono-Bold.ttf$"
             "truetype: font.fallback.0: truetype:unifont.otf \\(opened at first use\\) for the 10x19 cell \\(baseline 15\\) of truetype:DejaVuSansMono.ttf@16$"
             "fbcon: 1024x768, 32 bpp: 100x39 cells of 10x19 with font 'truetype:DejaVuSansMono.ttf@16'"
             "fbcon: font chain: truetype:DejaVuSansMono.ttf@16, truetype:unifont.otf \\(opened at first use\\)$"
             "hello: .* \\(1 of 1\\)" "celos: ready"
             "truetype: font.fallback.0: truetype:unifont.otf@16 for the 10x19 cell \\(baseline 15\\) of truetype:DejaVuSansMono.ttf@16: Unifont"
             "fbcon: font chain: truetype:DejaVuSansMono.ttf@16, truetype:unifont.otf@16$"
      REJECT "truetype: bold face"
      RENDER_FONT ${TRUETYPE_FONT} RENDER_BPP 32 RENDER_OTHER_FONT ${CONSOLE_FONT})
    celos_boot_test(console_font_chain_psf
      MODULE_LINES "module2 /boot/modules/heap.ko heap"
                   "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
                   "module2 /boot/modules/unifont.otf unifont.otf"
                   "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf"
                   "module2 /boot/modules/truetype.ko truetype role=fallback font=unifont.otf size=16"
                   "module2 /boot/modules/fbcon.ko fbcon"
                   "module2 /boot/modules/hello.ko hello greeting=中文Ωж한글"
      UNTIL "fbcon: font chain: psf:Lat15-Terminus16.psf, truetype:unifont.otf@16$"
      EXPECT "truetype: font.fallback.0: truetype:unifont.otf \\(opened at first use\\) for the 8x16 cell \\(baseline [0-9]+\\) of psf:Lat15-Terminus16.psf"
             "fbcon: font chain: psf:Lat15-Terminus16.psf, truetype:unifont.otf \\(opened at first use\\)$"
             "hello: .* \\(1 of 1\\)" "celos: ready"
             "truetype: font.fallback.0: truetype:unifont.otf@16 for the 8x16 cell \\(baseline [0-9]+\\) of psf:Lat15-Terminus16.psf"
             "fbcon: font chain: psf:Lat15-Terminus16.psf, truetype:unifont.otf@16$"
      REJECT "error:"
      RENDER_FONT ${CONSOLE_FONT} RENDER_BPP 32)
    # A fallback font started after the console (by the shell) joins the
    # chain: the CJK of the boot log, .notdef at first, is drawn again from
    # Unifont (fbcon's main-loop task), equal to the host rendering before
    # and after.
    celos_boot_test(console_font_chain_join EXIT success TIMEOUT 120
      MODULE_LINES "module2 /boot/modules/heap.ko heap"
                   "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
                   "module2 /boot/modules/unifont.otf unifont.otf"
                   "module2 /boot/modules/truetype.ko truetype.ko"
                   "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf"
                   "module2 /boot/modules/fbcon.ko fbcon"
                   "module2 /boot/modules/hello.ko hello greeting=中文Ωж한글"
                   "module2 /boot/modules/serial_input.ko serial_input"
                   "module2 /boot/modules/shell.ko shell"
      RENDER_FONT ${CONSOLE_FONT} RENDER_BPP 32
      SERIAL_INPUT "celos> =><SCREEN>insmod truetype.ko role=fallback font=unifont.otf<CR>"
                   "celos> =><PAUSE><SCREEN>poweroff<CR>"
      EXPECT "hello: .* \\(1 of 1\\)" "celos: ready"
             "truetype: font.fallback.0: truetype:unifont.otf@16 for the 8x16 cell \\(baseline [0-9]+\\) of psf:Lat15-Terminus16.psf"
             "fbcon: font chain: psf:Lat15-Terminus16.psf, truetype:unifont.otf@16"
             "celos: power off \\(asked by shell\\)"
      REJECT "error:" "PANIC")
  endif()

  # The font changed from the shell under a fallback face (opened by the
  # first character DejaVu Sans Mono lacks, U+01C4, echoed): truetype opens
  # the face again for the new cell and replaces its font.fallback.0 (the
  # console switches the link); at 6 px DejaVu Sans (proportional, its 'M'
  # 5 px wide at 6 px) fits no cell of DejaVu Sans Mono's 4x7 and leaves the
  # chain (withdrawn: fbcon drops the link and its hold, truetype
  # unregisters it). Each screen equal to the host rendering.
  set(DEJAVU_SANS_TTF /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf)
  if(EXISTS ${DEJAVU_SANS_TTF})
    file(COPY ${DEJAVU_SANS_TTF} DESTINATION ${CMAKE_CURRENT_BINARY_DIR}/chain-fonts)
    celos_boot_test(shell_font_chain_refit EXIT success TIMEOUT 120
      MODULE_DIRS ${CMAKE_CURRENT_BINARY_DIR}/chain-fonts
      MODULE_LINES "module2 /boot/modules/heap.ko heap"
                   "module2 /boot/modules/DejaVuSansMono.ttf DejaVuSansMono.ttf"
                   "module2 /boot/modules/DejaVuSans.ttf DejaVuSans.ttf"
                   "module2 /boot/modules/LiberationMono-Regular.ttf LiberationMono-Regular.ttf"
                   "module2 /boot/modules/truetype.ko truetype font=DejaVuSansMono.ttf fallback=DejaVuSans.ttf"
                   "module2 /boot/modules/fbcon.ko fbcon"
                   "module2 /boot/modules/serial_input.ko serial_input"
                   "module2 /boot/modules/shell.ko shell"
      RENDER_FONT ${TRUETYPE_FONT} RENDER_BPP 32
      SERIAL_INPUT "celos> =>echo Ǆ<CR>"
                   "celos> =><PAUSE><SCREEN>font LiberationMono-Regular.ttf size=20<CR>"
                   "celos> =><PAUSE><SCREEN>font DejaVuSansMono.ttf size=6<CR>"
                   "celos> =><PAUSE><SCREEN>poweroff<CR>"
      EXPECT "truetype: font.fallback.0: truetype:DejaVuSans.ttf \\(opened at first use\\) for the 10x19 cell"
             "fbcon: font chain: truetype:DejaVuSansMono.ttf@16, truetype:DejaVuSans.ttf \\(opened at first use\\)$"
             "celos: ready"
             "truetype: font.fallback.0: truetype:DejaVuSans.ttf@[0-9]+ for the 10x19 cell"
             "fbcon: font chain: truetype:DejaVuSansMono.ttf@16, truetype:DejaVuSans.ttf@[0-9]+"
             "fbcon: font replaced: truetype:DejaVuSansMono.ttf@16 -> truetype:LiberationMono-Regular.ttf@20"
             "truetype: font.fallback.0: truetype:DejaVuSans.ttf@[0-9]+ for the 12x23 cell"
             "fbcon: font chain: truetype:LiberationMono-Regular.ttf@20, truetype:DejaVuSans.ttf@[0-9]+"
             "fbcon: font replaced: truetype:LiberationMono-Regular.ttf@20 -> truetype:DejaVuSansMono.ttf@6"
             "warn: truetype: fallback DejaVuSans.ttf leaves the chain: DejaVuSans.ttf: no size from 6 to 6 px fits"
             "fbcon: font chain: truetype:DejaVuSansMono.ttf@6$"
             "celos: power off \\(asked by shell\\)"
      REJECT "error:" "PANIC" "still holds the withdrawn font" "refused to let it go")
  endif()

  # rmmod asks the holders of the module's services to let go (ABI 1.7),
  # once nothing needs the module: fbcon, which depends on "@font", keeps
  # truetype while it draws with it (nobody is asked then), lets a
  # fallback font go, and keeps its display (it refuses, and the unload is
  # refused with its reason). The font command's clean-up does not ask:
  # after `font Lat15-Terminus16.psf` truetype stays for the fallback it
  # serves, until rmmod takes it; the chain is then the bitmap font alone.
  if(EXISTS ${DEJAVU_SANS_TTF})
    celos_boot_test(shell_rmmod_asks_holders EXIT success TIMEOUT 120 GPU std
      MODULE_DIRS ${CMAKE_CURRENT_BINARY_DIR}/chain-fonts
      MODULE_LINES "module2 /boot/modules/heap.ko heap"
                   "module2 /boot/modules/DejaVuSansMono.ttf DejaVuSansMono.ttf"
                   "module2 /boot/modules/DejaVuSans.ttf DejaVuSans.ttf"
                   "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
                   "module2 /boot/modules/bochs.ko bochs"
                   "module2 /boot/modules/truetype.ko truetype font=DejaVuSansMono.ttf fallback=DejaVuSans.ttf"
                   "module2 /boot/modules/psf.ko psf.ko"
                   "module2 /boot/modules/fbcon.ko fbcon"
                   "module2 /boot/modules/serial_input.ko serial_input"
                   "module2 /boot/modules/shell.ko shell"
      RENDER_FONT ${TRUETYPE_FONT} RENDER_BPP 32
      SERIAL_INPUT "celos> =>rmmod truetype<CR>"
                   "celos> =>font Lat15-Terminus16.psf<CR>"
                   "celos> =>rmmod truetype<CR>"
                   "celos> =>rmmod bochs<CR>"
                   "celos> =><PAUSE><SCREEN>poweroff<CR>"
      EXPECT "celos: ready"
             "warn: module truetype: not unloaded: module fbcon depends on it"
             "^celos: rmmod: truetype: module fbcon depends on it"
             "service 'font': psf replaces truetype"
             "^celos: font: note: the old provider 'truetype' stays loaded: module fbcon holds its service 'font.fallback.0'"
             "fbcon: font chain: psf:Lat15-Terminus16.psf$"
             "service 'font.fallback.0': module fbcon let go of it"
             "module truetype: unloaded"
             "warn: fbcon: the console draws on display '.+': it stays"
             "warn: module bochs: not unloaded: module fbcon holds its service 'display' and does not let go: .+"
             "^celos: rmmod: bochs: module fbcon holds its service 'display' and does not let go"
             "celos: power off \\(asked by shell\\)"
      REJECT "error:" "PANIC" "LEAK")
  endif()

  # Broken font files (tests/fixtures/gen_bad_fonts.py) and a missing one:
  # a clear error naming the file, the truetype module does not register,
  # the bitmap font after it takes over and the screen is that font's
  # rendering of the log. Also fonts FreeType opens but that cannot draw
  # basic Latin text (issue 11, item 1): Liberation Mono with a byte
  # inserted at 22400 (it drew a blank console) and the dingbat font
  # D050000L (an unreadable one).
  set(BAD_FONTS_DIR ${CMAKE_CURRENT_BINARY_DIR}/bad-fonts)
  set(BAD_FONT_CASES truncated notafont missing)
  set(bad_font_files ${BAD_FONTS_DIR}/truncated.ttf ${BAD_FONTS_DIR}/notafont.ttf)
  set(bad_font_extra "")
  set(LIBERATION_FONT ${CELOS_MODULES_DIR}/LiberationMono-Regular.ttf)
  set(DINGBAT_FONT /usr/share/fonts/opentype/urw-base35/D050000L.otf)
  if(EXISTS /usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf AND EXISTS ${DINGBAT_FONT})
    list(APPEND BAD_FONT_CASES liberation_inserted D050000L)
    list(APPEND bad_font_files ${BAD_FONTS_DIR}/liberation_inserted.ttf ${BAD_FONTS_DIR}/D050000L.otf)
    set(bad_font_extra ${LIBERATION_FONT} ${DINGBAT_FONT})
  endif()
  add_custom_command(OUTPUT ${bad_font_files}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/fixtures/gen_bad_fonts.py ${TRUETYPE_FONT}
            ${BAD_FONTS_DIR} ${bad_font_extra}
    DEPENDS ${CMAKE_SOURCE_DIR}/tests/fixtures/gen_bad_fonts.py ${TRUETYPE_FONT} ${bad_font_extra}
    COMMENT "Making the broken font files for the boot tests")
  add_custom_target(celos_bad_fonts ALL DEPENDS ${bad_font_files})
  foreach(bad IN LISTS BAD_FONT_CASES)
    set(file ${bad}.ttf)
    if(bad STREQUAL "missing")
      set(message "truetype: font file 'missing.ttf' not found")
    elseif(bad STREQUAL "liberation_inserted")
      set(message "truetype: ${file}: glyph 'M' \\(U\\+004D\\) cannot be rendered \\(error 0x15: invalid composite glyph\\)")
    elseif(bad STREQUAL "D050000L")
      set(file ${bad}.otf)
      set(message "truetype: ${file}: no Unicode mapping for basic Latin \\(a symbol font: only 0 of 62 letters")
    else()
      set(message "truetype: ${file}: FreeType cannot open it \\(error 0x[0-9a-f]+: [a-zA-Z ]+\\)")
    endif()
    set(font_line "")
    if(NOT bad STREQUAL "missing")
      set(font_line "module2 /boot/modules/${file} ${file}")
    endif()
    celos_boot_test(console_truetype_fallback_${bad} MODULE_DIRS ${BAD_FONTS_DIR}
      MODULE_LINES "module2 /boot/modules/heap.ko heap" ${font_line}
                   "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
                   "module2 /boot/modules/truetype.ko truetype font=${file}"
                   "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf"
                   "module2 /boot/modules/fbcon.ko fbcon"
      EXPECT "${message}"
             "module truetype: refused: init: "
             "fbcon: 1024x768, 32 bpp: 126x47 cells of 8x16 with font 'psf:Lat15-Terminus16.psf'"
             "modules: 3 loaded \\(heap, psf, fbcon\\), 1 refused"
             "celos: ready"
      RENDER_FONT ${CONSOLE_FONT} RENDER_BPP 32)
  endforeach()

  # Long boot file names: a 51-character .ttf name (a copy of the shipped
  # font under that name) is a boot file and the TrueType module uses it; a
  # 300-character label is refused naming the limit (255), and so is a font=
  # value over the limit (the psf module is refused, not started with its
  # default font).
  set(LONG_NAMES_DIR ${CMAKE_CURRENT_BINARY_DIR}/long-names)
  set(LONG_TTF "DejaVuSansMono-a-boot-file-name-of-fifty-one-ch.ttf")
  string(REPEAT "x" 296 OVER_LIMIT)
  add_custom_command(OUTPUT ${LONG_NAMES_DIR}/${LONG_TTF}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${LONG_NAMES_DIR}
    COMMAND ${CMAKE_COMMAND} -E copy ${TRUETYPE_FONT} ${LONG_NAMES_DIR}/${LONG_TTF}
    DEPENDS ${TRUETYPE_FONT}
    COMMENT "Copying the TrueType font under a 51-character name for the boot tests")
  add_custom_target(celos_long_names ALL DEPENDS ${LONG_NAMES_DIR}/${LONG_TTF})
  celos_boot_test(boot_file_long_names MODULE_DIRS ${LONG_NAMES_DIR}
    MODULE_LINES "module2 /boot/modules/heap.ko heap"
                 "module2 /boot/modules/${LONG_TTF} ${LONG_TTF}"
                 "module2 /boot/modules/${LONG_TTF} ${OVER_LIMIT}.ttf"
                 "module2 /boot/modules/truetype.ko truetype font=${LONG_TTF}"
                 "module2 /boot/modules/psf.ko psf font=${OVER_LIMIT}.psf"
                 "module2 /boot/modules/fbcon.ko fbcon"
    EXPECT "boot file '${LONG_TTF}': [0-9]+ bytes"
           "error: boot file x{64}\\.\\.\\. refused: its name is 300 characters, longer than the limit of 255"
           "truetype: ${LONG_TTF}: DejaVu Sans Mono Book"
           "error: module psf: refused: parameters: parameter 'font': value is 300 bytes, longer than the limit of 255"
           "fbcon: 1024x768, 32 bpp: 100x39 cells of 10x19 with font 'truetype:${LONG_TTF}@16'"
           "modules: 3 loaded \\(heap, truetype, fbcon\\), 1 refused, 0 not needed, 1 boot files, 1 module2 lines refused"
           "celos: ready"
    REJECT "PANIC" "bad ELF magic")
endif()

# --- the panic screen's scrollback (issue 15) -------------------------------
# panic=wait: a panic after the boot (fault_test's task logs 60 lines and
# panics) leaves its report on screen, equal to the host rendering of the
# log, and PgUp on QEMU's keyboard (the panic path polls the i8042) moves
# the view a page back into the scrollback (the screen changes), PgDn brings
# it back (the very same screen). The keys are noted on serial only, so no
# screen after them is compared with the rendering of the serial output.
celos_boot_test(panic_wait_scrollback CMDLINE "panic=wait" MODULE_DIRS ${ABI_MODULES} TIMEOUT 120 NO_FINAL_SCREEN
  MODULE_LINES ${BITMAP_LINES} "module2 /boot/modules/fault_test.ko fault_test fault=task"
  SERIAL_INPUT "page the console's scrollback=><PAUSE><SCREEN><SNAP>"
               "celos: panic view: a page back=><PAUSE><DIFFSNAP>"
               "celos: panic view: a page forward=><PAUSE><SAMESNAP>"
  KEYS "page the console's scrollback=>pgup" "celos: panic view: a page back=>pgdn"
       "celos: panic view: a page forward=>down"
  UNTIL "celos: panic view: a line forward"
  EXPECT "fault_test: a task that panics after the boot" "celos: ready" "scrollback line 60 of 60"
         "fault_test: a panic after the boot, on purpose"
         "celos: panic=wait: PgUp/PgDn and Up/Down page the console's scrollback"
         "celos: panic view: a page back" "celos: panic view: a page forward" "celos: panic view: a line forward"
  REJECT "celos: panic, stopping the machine"
  RENDER_FONT ${CONSOLE_FONT} RENDER_BPP 32)

# Faces opened at first use (issue 14): the default entry boots without
# opening its bold and oblique faces; the shell's `cat` of bold and italic
# text (tests/boot/text/faces.txt, ASCII only, so the fallback chain does
# not change) draws them synthesized, truetype's main-loop task opens the
# faces, and fbcon, seeing the font's revision change, draws the screen
# again from them: the screen equal to the host rendering, which draws with
# the faces from the log line that opens them on.
if(TARGET shell AND TARGET truetype)
  celos_boot_test(console_faces_first_use EXIT success TIMEOUT 120
    RUN_ARGS --entry truetype --file ${CMAKE_SOURCE_DIR}/tests/boot/text/faces.txt
    RENDER_FONT ${TRUETYPE_FONT} RENDER_BPP 32
    SERIAL_INPUT "celos> =>cat faces.txt<CR>"
                 "celos> =><PAUSE><SCREEN>poweroff<CR>"
    EXPECT "truetype: faces of truetype:DejaVuSansMono.ttf@16 opened at first use: bold DejaVuSansMono-Bold.ttf, italic DejaVuSansMono-Oblique.ttf"
           "celos: ready" "truetype: bold face DejaVuSansMono-Bold.ttf for truetype:DejaVuSansMono.ttf@16"
           "truetype: italic face DejaVuSansMono-Oblique.ttf for truetype:DejaVuSansMono.ttf@16"
           "celos: power off \\(asked by shell\\)"
    REJECT "error:" "PANIC" "unifont.otf@16")
endif()

# Issue 17's screen of mixed text (tests/boot/text/sampler.txt: Latin with
# combining marks, Greek, Cyrillic, CJK, box drawing, blocks, Braille,
# every attribute, colours, DEC graphics) shown by the shell's `cat` in the
# default TrueType entry and in the bitmap entry (Terminus, Unifont behind
# it): each screen equal pixel for pixel to the host rendering of the
# session, which draws through the same terminal, renderer and fonts.
if(TARGET shell AND TARGET truetype AND EXISTS /usr/share/fonts/opentype/unifont/unifont.otf)
  foreach(entry truetype bitmap)
    if(entry STREQUAL "truetype")
      set(sampler_font ${TRUETYPE_FONT})
    else()
      set(sampler_font ${CONSOLE_FONT})
    endif()
    celos_boot_test(console_sampler_${entry} EXIT success TIMEOUT 120
      RUN_ARGS --entry ${entry} --file ${CMAKE_SOURCE_DIR}/tests/boot/text/sampler.txt
      RENDER_FONT ${sampler_font} RENDER_BPP 32
      SERIAL_INPUT "celos> =>cat sampler.txt<CR>"
                   "celos> =><PAUSE><SCREEN>poweroff<CR>"
      EXPECT "celos: ready" "fbcon: font chain: .*unifont.otf@16" "celos: power off \\(asked by shell\\)"
      REJECT "error:" "PANIC")
  endforeach()
endif()
