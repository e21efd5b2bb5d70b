/* The core's place in the address space; shared by C++, assembly and the
   linker script (docs/architecture.md has the whole map). */
#ifndef CELOS_BOOT_LAYOUT_H
#define CELOS_BOOT_LAYOUT_H

#define KERNEL_VMA 0xffffffff80000000
#define KERNEL_PHYS 0x100000
#define DIRECT_MAP_BASE 0xffff800000000000
#define DEVICE_MAP_BASE 0xffffc00000000000
#define VIRTUAL_RANGE_BASE 0xffffd00000000000
#define VIRTUAL_RANGE_END 0xffffe00000000000
#define MODULE_AREA_BASE 0xffffffffa0000000
#define MODULE_AREA_END 0xffffffffc0000000

#endif
