# The input drivers (issue 15), included from tests/boot/CMakeLists.txt:
# ps2kbd (keys pressed on QEMU's keyboard through QMP send-key), serial_input
# (bytes typed on COM1), both at once, and a machine without the i8042. The
# test module input_echo (tests/abi/modules/input_echo.c) logs one line per
# event the core's input queue hands out, numbered per source, so the
# expectations see every event and no extra one. The input starts once the
# kernel is ready; QEMU stops at the last event's line (UNTIL).
set(INPUT_MODULES "module2 /boot/modules/heap.ko heap"
                  "module2 /boot/modules/ps2kbd.ko ps2kbd"
                  "module2 /boot/modules/serial_input.ko serial_input"
                  "module2 /boot/modules/input_echo.ko input_echo")

# input_echo's lines for the events of one source, numbered from `first`:
# each event as input_echo writes it between "key=" and " source=" (a regex).
function(input_echo_lines out source first)
  set(n ${first})
  set(lines "")
  foreach(event IN LISTS ARGN)
    list(APPEND lines "input_echo: key=${event} source=${source} #${n}$")
    math(EXPR n "${n} + 1")
  endforeach()
  set(${out} ${lines} PARENT_SCOPE)
endfunction()

# (a) The keyboard: letters, Shift, Caps Lock, Ctrl, Alt, the grey keys,
# F keys, the keypad with Num Lock off (QEMU's keyboard starts with its LEDs
# off; keypad 5 then gives nothing) and on, Shift+PgUp, keypad Enter.
input_echo_lines(KEYBOARD_LINES keyboard 1
  "CHAR cp=U\\+0061 'a' mods=none" "CHAR cp=U\\+0042 'B' mods=shift" "CHAR cp=U\\+0043 'C' mods=none"
  "CHAR cp=U\\+0064 'd' mods=shift" "CHAR cp=U\\+0063 'c' mods=ctrl" "CHAR cp=U\\+0058 'X' mods=shift\\+ctrl"
  "CHAR cp=U\\+0066 'f' mods=alt" "CHAR cp=U\\+0031 '1' mods=none" "CHAR cp=U\\+0040 '@' mods=shift"
  "CHAR cp=U\\+002D '-' mods=none" "CHAR cp=U\\+0020 ' ' mods=none" "ENTER mods=none" "TAB mods=none"
  "BACKSPACE mods=none" "ESCAPE mods=none" "UP mods=none" "DOWN mods=none" "LEFT mods=none" "RIGHT mods=none"
  "HOME mods=none" "END mods=none" "PAGE_UP mods=none" "PAGE_DOWN mods=none" "INSERT mods=none"
  "DELETE mods=none" "PAGE_UP mods=shift" "UP mods=shift" "RIGHT mods=ctrl" "F1 mods=none" "F5 mods=none"
  "F12 mods=none" "UP mods=none" "DOWN mods=none" "CHAR cp=U\\+0038 '8' mods=none"
  "CHAR cp=U\\+0035 '5' mods=none" "CHAR cp=U\\+002E '[.]' mods=none" "CHAR cp=U\\+002A '[*]' mods=none"
  "CHAR cp=U\\+002F '/' mods=none" "CHAR cp=U\\+002B '[+]' mods=none" "CHAR cp=U\\+002D '-' mods=none"
  "ENTER mods=none" "PAGE_UP mods=none" "TAB mods=shift" "CHAR cp=U\\+007A 'z' mods=none")
celos_boot_test(input_keyboard MODULE_DIRS ${ABI_MODULES} MODULE_LINES ${INPUT_MODULES} TIMEOUT 150
  KEYS "celos: ready=>a shift-b caps_lock c shift-d caps_lock ctrl-c ctrl-shift-x alt-f 1 shift-2 minus spc ret tab backspace esc up down left right home end pgup pgdn insert delete shift-pgup shift-up ctrl-right f1 f5 f12 kp_8 kp_5 kp_2 num_lock kp_8 kp_5 kp_decimal kp_multiply kp_divide kp_add kp_subtract kp_enter num_lock kp_9 shift-tab z"
  UNTIL "source=keyboard #44$"
  EXPECT "ps2kbd: i8042 keyboard on IRQ 1: configuration 0x[0-9a-f]+ \\(0x[0-9a-f]+ as read with both ports off\\), scan code set 1 \\(translated\\), US layout, Num Lock off"
         "serial_input: COM1 receive interrupt on \\(IRQ 4\\), escape timeout 50 ms"
         "modules: 4 loaded \\(heap, ps2kbd, serial_input, input_echo\\), 0 refused, 0 not needed"
         "celos: ready"
         ${KEYBOARD_LINES}
  REJECT "error:" "warn:" "PANIC" "source=serial" "source=keyboard #45")

# (b) The serial port: text, CR LF as one Enter, UTF-8, escape sequences
# (CSI, SS3, with modifiers), controls, ESC x (Alt+x), a lone ESC (Escape
# after the timeout); then binary garbage, and unterminated and overlong and
# unknown sequences, after each of which a key still arrives. The garbage
# gives 38 events of its own (Ctrl+letters and U+FFFD, as the unit tests
# spell out), so 'g' is #65.
string(REPEAT "1<x3b>" 100 HUNDRED_PARAMETERS)
set(GARBAGE "")
foreach(b 00 01 02 07 0b 0c 0e 0f 10 11 12 13 14 15 16 17 19 1c 1d 1e 1f 80 81 8f 90 9b 9f a0 bf c0 c1 c3 e0 ed
          f0 f4 f5 fe ff)
  string(APPEND GARBAGE "<x${b}>")
endforeach()
input_echo_lines(SERIAL_LINES serial 1
  "CHAR cp=U\\+0068 'h' mods=none" "CHAR cp=U\\+0069 'i' mods=none" "CHAR cp=U\\+0021 '!' mods=none"
  "ENTER mods=none" "CHAR cp=U\\+00E9 'é' mods=none" "CHAR cp=U\\+4E2D '中' mods=none" "UP mods=none"
  "DOWN mods=none" "RIGHT mods=none" "LEFT mods=none" "UP mods=shift" "PAGE_UP mods=shift" "PAGE_DOWN mods=none"
  "DELETE mods=ctrl" "HOME mods=none" "END mods=none" "F5 mods=none" "F1 mods=none"
  "CHAR cp=U\\+0063 'c' mods=ctrl" "BACKSPACE mods=none" "BACKSPACE mods=none" "TAB mods=none"
  "CHAR cp=U\\+0078 'x' mods=alt" "ESCAPE mods=none" "CHAR cp=U\\+0079 'y' mods=none" "ENTER mods=none")
input_echo_lines(SERIAL_GARBAGE_FIRST serial 27 "CHAR cp=U\\+0061 'a' mods=ctrl")
input_echo_lines(SERIAL_AFTER_GARBAGE serial 65
  "CHAR cp=U\\+0067 'g' mods=none" "CHAR cp=U\\+006B 'k' mods=none" "CHAR cp=U\\+0071 'q' mods=none")
celos_boot_test(input_serial MODULE_DIRS ${ABI_MODULES} MODULE_LINES ${INPUT_MODULES} TIMEOUT 120
  SERIAL_INPUT "celos: ready=>hi!<CR><LF>é中<CSI>A<CSI>B<ESC>OC<ESC>OD<CSI>1<x3b>2A<CSI>5<x3b>2~<CSI>6~<CSI>3<x3b>5~<CSI>H<CSI>4~<CSI>15~<ESC>OP<C-C><DEL><BS><TAB><ESC>x<ESC><PAUSE>y<CR>"
               "source=serial #26=><PAUSE>${GARBAGE}<PAUSE>g<CSI>${HUNDRED_PARAMETERS}<PAUSE>k<CSI>${HUNDRED_PARAMETERS}A<CSI>99~<CSI>?1hq"
  UNTIL "source=serial #67$"
  EXPECT "celos: ready" ${SERIAL_LINES} ${SERIAL_GARBAGE_FIRST} ${SERIAL_AFTER_GARBAGE}
  REJECT "error:" "PANIC" "source=keyboard" "source=serial #68")

# (c) Both at once, in one boot: keys pressed on the keyboard while bytes
# arrive on serial. Each source's events come complete and in its own order
# (EXPECT_UNORDERED: the two interleave as they will); the last serial key
# is sent once the keyboard's last event is in.
input_echo_lines(BOTH_KEYBOARD keyboard 1
  "CHAR cp=U\\+006B 'k' mods=none" "CHAR cp=U\\+0065 'e' mods=none" "CHAR cp=U\\+0079 'y' mods=none"
  "CHAR cp=U\\+0062 'b' mods=none" "CHAR cp=U\\+006F 'o' mods=none" "CHAR cp=U\\+0061 'a' mods=none"
  "CHAR cp=U\\+0072 'r' mods=none" "CHAR cp=U\\+0064 'd' mods=none" "PAGE_DOWN mods=shift" "F10 mods=none")
input_echo_lines(BOTH_SERIAL serial 1
  "CHAR cp=U\\+0073 's' mods=none" "CHAR cp=U\\+0065 'e' mods=none" "CHAR cp=U\\+0072 'r' mods=none"
  "CHAR cp=U\\+0069 'i' mods=none" "CHAR cp=U\\+0061 'a' mods=none" "CHAR cp=U\\+006C 'l' mods=none"
  "PAGE_UP mods=shift")
input_echo_lines(BOTH_LAST serial 8 "F10 mods=none")
celos_boot_test(input_both MODULE_DIRS ${ABI_MODULES} MODULE_LINES ${INPUT_MODULES} TIMEOUT 120
  KEYS "celos: ready=>k e y b o a r d shift-pgdn f10"
  SERIAL_INPUT "celos: ready=>serial<CSI>5<x3b>2~" "source=keyboard #10=><CSI>21~"
  UNTIL "source=serial #8$"
  EXPECT "celos: ready" ${BOTH_KEYBOARD} ${BOTH_LAST}
  EXPECT_UNORDERED ${BOTH_SERIAL}
  REJECT "error:" "PANIC" "source=keyboard #11" "source=serial #9")

# (d) No i8042 (QEMU's -machine i8042=off): ps2kbd is not needed and says
# what it looked for; serial input still works and the kernel is ready.
input_echo_lines(NO_I8042_LINES serial 1 "CHAR cp=U\\+006F 'o' mods=none" "CHAR cp=U\\+006B 'k' mods=none")
celos_boot_test(input_no_i8042 MODULE_DIRS ${ABI_MODULES} MODULE_LINES ${INPUT_MODULES}
  QEMU_ARGS "-machine" "i8042=off"
  SERIAL_INPUT "celos: ready=>ok"
  UNTIL "source=serial #2$"
  EXPECT "ps2kbd: no i8042 keyboard controller \\(status port 0x64 reads 0xff\\): not needed"
         "module ps2kbd: not needed \\(init returned CELOS_ERR_NO_DEVICE: the device it drives is absent\\)\\x3b unloaded"
         "modules: 3 loaded \\(heap, serial_input, input_echo\\), 0 refused, 1 not needed"
         "  not needed ps2kbd: "
         "celos: ready"
         ${NO_I8042_LINES}
  REJECT "error:" "PANIC" "LEAK")

# Both drivers unloaded and loaded again ten times once the kernel is ready
# (input_echo cycles=10, through celos_module_unload/load): their exits give
# back the IRQ lines, the task and the devices' state, the memory the
# kernel reports is as before (nokaslr: the same places each time), and the
# keyboard (with its Caps Lock LED command) and the serial port work after.
input_echo_lines(RELOAD_KEYBOARD keyboard 1 "CHAR cp=U\\+0061 'a' mods=none" "CHAR cp=U\\+0042 'B' mods=none")
input_echo_lines(RELOAD_SERIAL serial 1 "CHAR cp=U\\+0078 'x' mods=none" "UP mods=none")
celos_boot_test(input_unload_reload MODULE_DIRS ${ABI_MODULES} CMDLINE nokaslr TIMEOUT 120
  MODULE_LINES "module2 /boot/modules/heap.ko heap"
               "module2 /boot/modules/ps2kbd.ko ps2kbd"
               "module2 /boot/modules/serial_input.ko serial_input"
               "module2 /boot/modules/input_echo.ko input_echo cycles=10"
  KEYS "memory as before=>a caps_lock b caps_lock"
  SERIAL_INPUT "source=keyboard #2=>x<CSI>A"
  UNTIL "source=serial #2$"
  EXPECT "celos: ready"
         "module ps2kbd: unloaded" "ps2kbd: i8042 keyboard on IRQ 1"
         "module serial_input: unloaded" "serial_input: COM1 receive interrupt on \\(IRQ 4\\)"
         "input_echo: 10 unload/load cycles of ps2kbd and serial_input: memory as before"
         ${RELOAD_KEYBOARD} ${RELOAD_SERIAL}
  REJECT "error:" "warn:" "PANIC" "source=keyboard #3" "source=serial #3")

# Parameters: ps2kbd numlock=on starts with the keypad's digits (and its
# LED set); serial_input escape_ms out of range is refused with the limit
# named, and the boot goes on with the keyboard.
input_echo_lines(NUMLOCK_LINES keyboard 1 "CHAR cp=U\\+0031 '1' mods=none" "CHAR cp=U\\+0030 '0' mods=none"
                 "END mods=none")
celos_boot_test(input_parameters MODULE_DIRS ${ABI_MODULES}
  MODULE_LINES "module2 /boot/modules/heap.ko heap"
               "module2 /boot/modules/ps2kbd.ko ps2kbd numlock=on"
               "module2 /boot/modules/serial_input.ko serial_input escape_ms=5000"
               "module2 /boot/modules/input_echo.ko input_echo"
  KEYS "celos: ready=>kp_1 kp_0 num_lock kp_1"
  UNTIL "source=keyboard #3$"
  EXPECT "ps2kbd: i8042 keyboard on IRQ 1: .* Num Lock on"
         "error: serial_input: escape_ms=5000 is out of range 1..1000"
         "module serial_input: refused: init: init returned CELOS_ERR_RANGE"
         "modules: 3 loaded \\(heap, ps2kbd, input_echo\\), 1 refused"
         "celos: ready" ${NUMLOCK_LINES}
  REJECT "PANIC" "LEAK" "source=keyboard #4")

# Under UEFI (OVMF, q35), whose firmware leaves the i8042 in its own state:
# the same bring-up gives the same keys, and serial input works there too.
input_echo_lines(UEFI_KEYBOARD keyboard 1 "CHAR cp=U\\+0041 'A' mods=shift" "PAGE_UP mods=shift" "UP mods=none")
input_echo_lines(UEFI_SERIAL serial 1 "CHAR cp=U\\+00E9 'é' mods=none" "DOWN mods=shift")
celos_boot_test(input_uefi UEFI MODULE_DIRS ${ABI_MODULES} MODULE_LINES ${INPUT_MODULES} TIMEOUT 150
  KEYS "celos: ready=>shift-a shift-pgup kp_8"
  SERIAL_INPUT "source=keyboard #3=>é<CSI>1<x3b>2B"
  UNTIL "source=serial #2$"
  EXPECT "ps2kbd: i8042 keyboard on IRQ 1" "serial_input: COM1 receive interrupt on" "celos: ready"
         ${UEFI_KEYBOARD} ${UEFI_SERIAL}
  REJECT "error:" "PANIC" "source=keyboard #4" "source=serial #3")
