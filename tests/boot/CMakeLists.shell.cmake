# The shell (modules/shell), typed at through the serial port (the
# serial_input module), included from tests/boot/CMakeLists.txt: every
# command, bad input of every kind, the font switched while it runs, and
# 200 loads and unloads of hello.ko that leave nothing behind. Each session
# ends with `poweroff` (QEMU's exit device, with success). <SCREEN> compares
# the screen at that point with the host rendering of the serial output so
# far: log lines and the shell's own output, which the console shows alike
# (tests/boot/render_log.cpp, --raw).
if(NOT TARGET serial_input)
  message(STATUS "shell boot tests: no serial_input module (the input drivers) to type with; not run")
  return()
endif()

set(SHELL_LINES "module2 /boot/modules/heap.ko heap"
                "module2 /boot/modules/serial_input.ko serial_input"
                "module2 /boot/modules/shell.ko shell"
                "module2 /boot/modules/hello.ko hello.ko")
set(SHELL_PSF_LINES ${SHELL_LINES}
                "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
                "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf"
                "module2 /boot/modules/fbcon.ko fbcon")

# Every command once, then bad input: an unknown command, missing
# arguments, a boot file that is not a module, a module whose init fails
# and one whose init faults (contained: the shell goes on), the shell
# unloading itself, a line of 2000 characters (512 are kept), binary bytes;
# then the editing keys as a terminal sends them (Tab, Ctrl-C, the arrows,
# history). The screen at the end is the host's rendering of the session;
# Shift+PgUp (CSI 5;2~) moves the view into the scrollback, Shift+Up and
# Shift+PgDn keep it there, and any other key brings it back.
# The long line comes in pieces of 250 bytes: QEMU hands the guest typed
# bytes as fast as it reads them, and the input queue (CELOS_INPUT_QUEUE,
# 256 events) drops what the shell has not read yet, as a real UART's
# 115200 baud never would. In the binary bytes, ESC then 0x9b is a broken
# sequence dropped whole, unless the decoder's ESC timeout ran out between
# them (a loaded host): then 0x9b alone is U+FFFD; either is right.
string(REPEAT "x" 250 LONG_PIECE)
string(REPEAT "${LONG_PIECE}<PAUSE>" 8 LONG_LINE)
string(REPEAT "x" 512 LONG_WORD)
celos_boot_test(shell_commands MODULE_DIRS ${ABI_MODULES} EXIT success TIMEOUT 120
  MODULE_LINES ${SHELL_PSF_LINES} "module2 /boot/modules/fault_test.ko fault_test.ko"
  RENDER_FONT ${CELOS_MODULES_DIR}/Lat15-Terminus16.psf RENDER_BPP 32
  SERIAL_INPUT
    "celos> =>help<CR>"
    "celos> =>lsmod<CR>"
    "celos> =>modinfo heap<CR>"
    "celos> =>insmod hello.ko greeting=hi<CR>"
    "celos> =>modinfo hello<CR>"
    "celos> =>rmmod hello<CR>"
    "celos> =>rmmod heap<CR>"
    "celos> =>ls<CR>"
    "celos> =>mem<CR>"
    "celos> =>dmesg 3<CR>"
    "celos> =>echo 'two  words' \"and more\"<CR>"
    "celos> =>frobnicate now<CR>"
    "celos> =>rmmod<CR>"
    "celos> =>modinfo nothing<CR>"
    "celos> =>insmod Lat15-Terminus16.psf<CR>"
    "celos> =>insmod hello.ko repeat=99<CR>"
    "celos> =>insmod fault_test.ko fault=pf<CR>"
    "celos> =>rmmod shell<CR>"
    "celos> =>${LONG_LINE}<CR>"
    "celos> =><xff>ab<x00><xfe><x7f>c<x1b><x9b><x01><CR>"
    "celos> =>rmmod he<C-C>"
    "celos> =>ins<TAB>hel<TAB><CR>"
    "celos> =>rmm<TAB>hel<TAB><CR>"
    "celos> =><CSI>A<CSI>A<CR>"
    "celos> =><CSI>A<CSI>A<CR>"
    "celos> =>echo wrld<CSI>D<CSI>D<CSI>Do<CSI>F!<CR>"
    "celos> =>dmesg 1<CR><SCREEN>"
    "celos> =><CSI>5<x3b>2~<SCREENDIFF><CSI>1<x3b>2A<CSI>6<x3b>2~<SCREENDIFF>x<SCREEN><C-U>poweroff<CR>"
  EXPECT "CelOS shell: type 'help' for the commands\\."
         "^celos> help$" "^  insmod FILE \\[key=value \\.\\.\\.\\] +load a module from a boot file"
         "^  poweroff +turn the machine off$"
         "^celos> lsmod$" "^Module +Version +Address +Size +State +Used by$"
         "^heap +1\\.0 +0xffffffff[0-9a-f]+ +[0-9]+ KiB +live +.*fbcon"
         "^celos> modinfo heap$" "^used by: +.*shell" "^exports: +.*kmalloc"
         "^celos> insmod hello.ko greeting=hi$" "hello: hi \\(1 of 1\\)" "module hello: started in"
         "^celos> modinfo hello$" "^  greeting \\(string\\) = 'hi': what to say$" "^exports: +hello_greeting$"
         "^celos> rmmod hello$" "hello: goodbye \\(said 'hi' 1 time\\)" "module hello: unloaded"
         "^celos: rmmod: heap: module [a-z_]+ depends on it \\(used by: .*shell.*\\)$"
         "^celos> ls$" "^hello\\.ko +[0-9]+ +module$" "^Lat15-Terminus16\\.psf +5670 +font \\(PSF1\\)$"
         "^celos> mem$" "^physical: +[0-9]+ pages" "^  shell +[0-9]+ bytes$"
         "^celos> dmesg 3$" "^\\[ *[0-9.]+\\] module hello: unloaded$"
         "^two  words and more$"
         "^celos: unknown command 'frobnicate' \\(help lists them\\)$"
         "^celos: rmmod: missing arguments \\(usage: rmmod MODULE\\)$"
         "^celos: modinfo: no module 'nothing' \\(lsmod lists them\\)$"
         "^celos: insmod: Lat15-Terminus16\\.psf is not a module \\(no ELF header\\): a boot file of another kind$"
         "error: hello: repeat=99: give 1 to 10"
         "^celos: insmod: hello\\.ko: module hello: refused: init: init returned CELOS_ERR_RANGE"
         "FAULT in the init of module fault_test"
         "^celos: insmod: fault_test\\.ko: module fault_test: refused: init: init returned CELOS_ERR_FAULT"
         "^celos: rmmod: shell: module shell is the caller"
         "^celos: unknown command '${LONG_WORD}' \\(help lists them\\)$"
         "^celos: unknown command '\\ufffdabc\\ufffd?' \\(help lists them\\)$"
         "^celos> rmmod he\\^C$"
         "hello: hello \\(1 of 1\\)" "module hello: unloaded"
         "hello: hello \\(1 of 1\\)" "module hello: unloaded"
         "^world!$"
         "celos: power off \\(asked by shell\\)"
  REJECT "PANIC" "LEAK")

# The font while the console runs, as the default entry has it (TrueType
# DejaVu Sans Mono, psf declined at boot): TrueType to another TrueType
# font (the running truetype module opens it through its control service),
# to the PSF font (psf, loaded again by name with replace=on, takes over and
# truetype is unloaded), back to TrueType (truetype loaded again), and to
# PSF at scale 2; files and parameters the command refuses, and a
# parameter and a file (a truncated TrueType font,
# tests/fixtures/gen_bad_fonts.py) the provider refuses: the font stays. The screens are the host's rendering
# of the session, each font switch replayed as the console does it.
if(TARGET truetype)
  celos_boot_test(shell_font EXIT success TIMEOUT 120 MODULE_DIRS ${BAD_FONTS_DIR}
    MODULE_LINES "module2 /boot/modules/heap.ko heap"
                 "module2 /boot/modules/truncated.ttf truncated.ttf"
                 "module2 /boot/modules/DejaVuSansMono.ttf DejaVuSansMono.ttf"
                 "module2 /boot/modules/LiberationMono-Regular.ttf LiberationMono-Regular.ttf"
                 "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
                 "module2 /boot/modules/truetype.ko truetype font=DejaVuSansMono.ttf size=16 hinting=light"
                 "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf"
                 "module2 /boot/modules/fbcon.ko fbcon"
                 "module2 /boot/modules/serial_input.ko serial_input"
                 "module2 /boot/modules/shell.ko shell"
                 "module2 /boot/modules/hello.ko hello.ko"
    RENDER_FONT ${CELOS_MODULES_DIR}/DejaVuSansMono.ttf RENDER_BPP 32
    SERIAL_INPUT
      "celos> =>font LiberationMono-Regular.ttf size=20<CR><SCREEN>"
      "celos> =>font Lat15-Terminus16.psf<CR><SCREEN>"
      "celos> =>font DejaVuSansMono.ttf hinting=normal<CR>"
      "celos> =>font hello.ko<CR>"
      "celos> =>font nothing.ttf<CR>"
      "celos> =>font Lat15-Terminus16.psf size=20<CR>"
      "celos> =>font LiberationMono-Regular.ttf hinting=full<CR>"
      "celos> =>font LiberationMono-Regular.ttf size=200<CR>"
      "celos> =>font truncated.ttf<CR>"
      "celos> =>font Lat15-Terminus16.psf scale=2<CR>"
      "celos> =>lsmod<CR><SCREEN>"
      "celos> =>poweroff<CR>"
    EXPECT "fbcon: 1024x768, 32 bpp: 100x39 cells of 10x19 with font 'truetype:DejaVuSansMono.ttf@16'"
           "^celos> font LiberationMono-Regular.ttf size=20$"
           "fbcon: font replaced: truetype:DejaVuSansMono.ttf@16 -> truetype:LiberationMono-Regular.ttf@20, [0-9]+x[0-9]+ cells of [0-9]+x[0-9]+"
           "service 'font': truetype replaces truetype \\(1 holders switched\\)"
           "truetype: LiberationMono-Regular.ttf: Liberation Mono Regular, .* 20 px, .*, replacing the font"
           "^celos: font: now truetype:LiberationMono-Regular.ttf@20, cells of [0-9]+x[0-9]+ pixels$"
           "^celos> font Lat15-Terminus16.psf$"
           "fbcon: font replaced: truetype:LiberationMono-Regular.ttf@20 -> psf:Lat15-Terminus16.psf, 126x47 cells of 8x16"
           "service 'font': psf replaces truetype \\(1 holders switched\\)"
           "module truetype: unloaded"
           "^celos: font: now psf:Lat15-Terminus16.psf, cells of 8x16 pixels$"
           "fbcon: font replaced: psf:Lat15-Terminus16.psf -> truetype:DejaVuSansMono.ttf@16, 100x39 cells of 10x19"
           "truetype: DejaVuSansMono.ttf: .* hinting normal, .*, replacing the font"
           "module psf: unloaded"
           "^celos: font: now truetype:DejaVuSansMono.ttf@16, cells of 10x19 pixels$"
           "^celos: font: hello.ko: not a font: a module \\(insmod loads modules\\)$"
           "^celos: font: no boot file 'nothing.ttf' \\(ls lists them\\)$"
           "^celos: font: Lat15-Terminus16.psf: a PSF1 font has a fixed size and no hinting. it takes scale=N$"
           "^celos: font: LiberationMono-Regular.ttf: hinting=full is not none, light or normal$"
           "error: truetype: size=200: size must be a number from 6 to 128"
           "^celos: font: LiberationMono-Regular.ttf: size=200: size must be a number from 6 to 128. the font stays truetype:DejaVuSansMono.ttf@16$"
           "error: truetype: truncated.ttf: FreeType cannot open it"
           "^celos: font: truncated.ttf: truncated.ttf: FreeType cannot open it \\(error 0x[0-9a-f]+: [a-zA-Z ]+\\). the font stays truetype:DejaVuSansMono.ttf@16$"
           "fbcon: font replaced: truetype:DejaVuSansMono.ttf@16 -> psf:Lat15-Terminus16.psf, 63x23 cells of 16x32"
           "^celos: font: now psf:Lat15-Terminus16.psf, cells of 16x32 pixels$"
           "^truetype +1\\.0 +- +- +unloaded"
           "^psf +1\\.0 +0x[0-9a-f]+ +[0-9]+ KiB +live +fbcon, fbcon \\(font\\)$"
           "celos: power off \\(asked by shell\\)"
    REJECT "PANIC" "LEAK" "warn:")
endif()

# 200 loads and unloads of hello.ko from the shell (a greeting each, so the
# last shows that every one ran) leave nothing behind: the memory report
# before and after is the same, line for line (free pages, the module
# area, the heap and each module's share of it). Serial only: no console
# to draw the log (the 1000 cycles of the selftest cover the console).
set(SHELL_CYCLES "celos> =>mem<CR>")
foreach(i RANGE 1 200)
  list(APPEND SHELL_CYCLES "celos> =>insmod hello.ko greeting=c${i}<CR>" "celos> =>rmmod hello<CR>")
endforeach()
list(APPEND SHELL_CYCLES "celos> =>mem<CR>" "celos> =>poweroff<CR>")
celos_boot_test(shell_hello_cycles EXIT success TIMEOUT 180 MODULE_LINES ${SHELL_LINES}
  SERIAL_INPUT ${SHELL_CYCLES}
  EXPECT "^physical: " "hello: c1 \\(1 of 1\\)" "hello: goodbye \\(said 'c1' 1 time\\)"
         "hello: c200 \\(1 of 1\\)" "hello: goodbye \\(said 'c200' 1 time\\)" "^physical: "
         "celos: power off \\(asked by shell\\)"
  EXPECT_SAME "^physical: .*" "^module area: .*" "^heap: .*" "^  shell +[0-9]+ bytes$" "^  heap +[0-9]+ bytes$"
  REJECT "PANIC" "LEAK" "error:")

# The same shell from QEMU's keyboard (ps2kbd, QMP send-key): typing with
# Shift, Tab completion, the history, Ctrl-C, the scrollback keys and back.
celos_boot_test(shell_keyboard EXIT success TIMEOUT 120
  MODULE_LINES "module2 /boot/modules/heap.ko heap" "module2 /boot/modules/ps2kbd.ko ps2kbd"
               "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
               "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf"
               "module2 /boot/modules/fbcon.ko fbcon"
               "module2 /boot/modules/shell.ko shell" "module2 /boot/modules/hello.ko hello.ko"
  KEYS "celos> =>e c h o spc shift-h i ret"
       "celos> =>i n s tab h e l tab g r e e t i n g equal k e y s ret"
       "celos> =>r m m o d spc h e l l o ret"
       "celos> =>up up ret"
       "celos> =>shift-pgup shift-up shift-pgdn x y z ctrl-c"
       "celos> =>p o w e r o f f ret"
  EXPECT "modules: 5 loaded \\(heap, ps2kbd, psf, fbcon, shell\\)"
         "^celos> echo Hi$" "^Hi$"
         "^celos> insmod hello.ko greeting=keys$" "hello: keys \\(1 of 1\\)"
         "^celos> rmmod hello$" "module hello: unloaded"
         "insmod hello.ko greeting=keys$" "hello: keys \\(1 of 1\\)"
         "^celos> xyz\\^C$"
         "celos: power off \\(asked by shell\\)"
  REJECT "PANIC" "error:")

# The display from the shell (issue 16): lspci lists QEMU's standard VGA,
# mode 800x600 has bochs change the mode and the console re-lay its grid,
# and the screen is then 800x600; a malformed mode is refused.
# A paste longer than the input queue (256 events) arrives whole: 506
# bytes typed at once; serial_input reads the UART only while the queue has
# room, so the rest waits in the UART (and in QEMU behind it) until the
# shell has read. The echo prints both words whole.
string(REPEAT "a" 250 PASTE_A)
string(REPEAT "b" 250 PASTE_B)
celos_boot_test(shell_paste EXIT success TIMEOUT 120 MODULE_LINES ${SHELL_PSF_LINES}
  RENDER_FONT ${CELOS_MODULES_DIR}/Lat15-Terminus16.psf RENDER_BPP 32
  SERIAL_INPUT "celos> =>echo ${PASTE_A} ${PASTE_B}<CR>" "celos> =><SCREEN>poweroff<CR>"
  EXPECT "celos: ready" "^a{250} b{250}$" "celos: power off \\(asked by shell\\)"
  REJECT "error:" "PANIC" "events dropped")

# The line editor follows the console's width (celos_console_size): 126
# columns of Terminus at 1024x768, so a line of 110 characters is echoed
# as it is typed (at the 80 columns of old it would scroll sideways); after
# `mode 800x600`, 98 columns: 90 characters still fit.
string(REPEAT "x" 110 WIDTH_LINE_126)
string(REPEAT "y" 90 WIDTH_LINE_100)
celos_boot_test(shell_width GPU std EXIT success TIMEOUT 120
  MODULE_LINES "module2 /boot/modules/heap.ko heap" "module2 /boot/modules/serial_input.ko serial_input"
               "module2 /boot/modules/bochs.ko bochs"
               "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
               "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf"
               "module2 /boot/modules/fbcon.ko fbcon" "module2 /boot/modules/shell.ko shell"
  SERIAL_INPUT "celos> =>${WIDTH_LINE_126}<CR>" "celos> =>mode 800x600<CR>" "celos> =><PAUSE>${WIDTH_LINE_100}<CR>"
               "celos> =>poweroff<CR>"
  EXPECT "shell: the line editor follows the console: 126 columns" "celos: ready"
         "^celos> x{110}$" "fbcon: display bochs -> bochs: 800x600, 32 bpp: 98x36 cells" "^celos> y{90}$"
         "celos: power off \\(asked by shell\\)"
  REJECT "error:" "PANIC")

celos_boot_test(shell_mode GPU std TIMEOUT 120
  MODULE_LINES "module2 /boot/modules/heap.ko heap" "module2 /boot/modules/serial_input.ko serial_input"
               "module2 /boot/modules/bochs.ko bochs"
               "module2 /boot/modules/Lat15-Terminus16.psf Lat15-Terminus16.psf"
               "module2 /boot/modules/psf.ko psf font=Lat15-Terminus16.psf"
               "module2 /boot/modules/fbcon.ko fbcon" "module2 /boot/modules/shell.ko shell"
  SERIAL_INPUT "celos> =>lspci<CR>" "celos> =>mode 80x<CR>" "celos> =>mode 800x600<CR>"
  UNTIL "bochs: mode 800x600"
  EXPECT "celos: ready" "1234:1111" "^celos: mode: 80x is not WIDTHxHEIGHT"
         "fbcon: display bochs -> bochs: 800x600, 32 bpp" "bochs: mode 800x600"
  REJECT "error:"
  SCREEN_SIZE 800x600)
