// bochs: QEMU's standard VGA (-vga std, PCI 1234:1111 class 0300) and
// -device bochs-display (1234:1111 class 0380) through the Bochs DISPI
// registers: through the MMIO BAR 2 at offset 0x500 where the device has
// it, else the I/O ports 0x1CE/0x1CF. Any mode= WIDTHxHEIGHT within the
// video memory (default: the boot loader's mode), 32 bpp, with a virtual
// height of twice the screen where it fits, so that the console scrolls by
// moving the Y offset. Provides the display service in place of bootfb.
//
// A mode change is announced to the display's holders as a replacement by
// the module's other ops struct (the registry refuses the same ops twice):
// they lay their screens out again; if one refuses, the old mode comes back.
#include <celos/abi.h>
#include <celos/display.h>
#include <celos/io.h>
#include <celos/pci.h>

#include "bochs_mode.h"

namespace {

using namespace celos::bochs;

char mode_param[16] = "";
const celos_module_param params[] = {
    {"mode", CELOS_PARAM_STRING, sizeof mode_param, mode_param,
     "WIDTHxHEIGHT (default: the boot loader's mode)"},
};

// DISPI registers (Bochs vbe.h).
enum : uint16_t {
    kId = 0,
    kXres = 1,
    kYres = 2,
    kBpp = 3,
    kEnable = 4,
    kBank = 5,
    kVirtWidth = 6,
    kVirtHeight = 7,
    kXOffset = 8,
    kYOffset = 9,
    kVideoMemory64k = 10,
};
constexpr uint16_t kEnabled = 0x01, kLfbEnabled = 0x40;
constexpr uint16_t kIndexPort = 0x1CE, kDataPort = 0x1CF;

struct Device {
    celos_pci_device pci;
    volatile uint8_t* mmio; // BAR 2, or null: the I/O ports
    uint8_t* framebuffer;   // BAR 0, write-combining
    uint64_t vram;          // bytes usable
    uint32_t width, height, pitch, virtual_height;
    uint32_t y_offset;
    // The boot loader's mode, given back at exit (the core's boot screen
    // may draw on it again).
    uint32_t boot_width, boot_height;
};
Device dev;
bool registered = false;

uint16_t dispi_read(uint16_t reg) {
    if (dev.mmio) return *reinterpret_cast<volatile uint16_t*>(dev.mmio + 0x500 + reg * 2);
    celos_outw(kIndexPort, reg);
    return celos_inw(kDataPort);
}

void dispi_write(uint16_t reg, uint16_t value) {
    if (dev.mmio) {
        *reinterpret_cast<volatile uint16_t*>(dev.mmio + 0x500 + reg * 2) = value;
        return;
    }
    celos_outw(kIndexPort, reg);
    celos_outw(kDataPort, value);
}

// Programs a mode; null, or why the device would not take it (the values
// read back differ).
const char* program(uint32_t width, uint32_t height, uint32_t virtual_height) {
    dispi_write(kEnable, 0);
    dispi_write(kBpp, 32);
    dispi_write(kXres, uint16_t(width));
    dispi_write(kYres, uint16_t(height));
    dispi_write(kBank, 0);
    dispi_write(kVirtWidth, uint16_t(width));
    dispi_write(kVirtHeight, uint16_t(virtual_height));
    dispi_write(kXOffset, 0);
    dispi_write(kYOffset, 0);
    dispi_write(kEnable, kEnabled | kLfbEnabled);
    if (dispi_read(kXres) != width || dispi_read(kYres) != height || dispi_read(kBpp) != 32)
        return "the device refused the mode (its registers read back another)";
    if (dispi_read(kVirtHeight) < height) return "the device refused the virtual height";
    return nullptr;
}

// A mode set and checked; the old one back on failure.
const char* set(uint32_t width, uint32_t height) {
    Layout layout;
    if (const char* why = plan_mode(width, height, dev.vram, layout)) return why;
    if (const char* why = program(width, height, layout.virtual_height)) {
        if (dev.width) program(dev.width, dev.height, dev.virtual_height);
        return why;
    }
    dev.width = width;
    dev.height = height;
    dev.pitch = layout.pitch;
    dev.virtual_height = dispi_read(kVirtHeight); // the device may give less than asked
    if (dev.virtual_height > layout.virtual_height) dev.virtual_height = layout.virtual_height;
    dev.y_offset = 0;
    return nullptr;
}

void get_mode(void*, celos_display_mode* out) {
    *out = celos_display_mode{};
    out->width = dev.width;
    out->height = dev.height;
    out->pitch = dev.pitch;
    out->virtual_height = dev.virtual_height;
    out->bpp = 32;
    out->red_position = 16;
    out->red_size = 8;
    out->green_position = 8;
    out->green_size = 8;
    out->blue_position = 0;
    out->blue_size = 8;
}

void* framebuffer(void*) {
    return dev.framebuffer;
}

const struct {
    uint16_t w, h;
} kModes[] = {{640, 480},  {800, 600},  {1024, 768},  {1280, 720},  {1280, 800},  {1280, 1024},
              {1440, 900}, {1600, 900}, {1600, 1200}, {1920, 1080}, {1920, 1200}, {2560, 1440}};

celos_status mode_at(void*, uint32_t index, uint32_t* width, uint32_t* height) {
    uint32_t n = 0;
    for (const auto& m : kModes) {
        Layout layout;
        if (plan_mode(m.w, m.h, dev.vram, layout)) continue;
        if (n++ == index) {
            *width = m.w;
            *height = m.h;
            return CELOS_OK;
        }
    }
    return CELOS_ERR_NOT_FOUND;
}

celos_status set_y_offset(void*, uint32_t y) {
    if (uint64_t(y) + dev.height > dev.virtual_height) return CELOS_ERR_RANGE;
    dispi_write(kYOffset, uint16_t(y));
    dev.y_offset = y;
    return CELOS_OK;
}

celos_status set_mode(void*, uint32_t width, uint32_t height);

// Two structs of the same functions: a mode change is a replacement.
const celos_display_ops ops[2] = {
    {"bochs", nullptr, get_mode, framebuffer, mode_at, set_mode, nullptr, set_y_offset},
    {"bochs", nullptr, get_mode, framebuffer, mode_at, set_mode, nullptr, set_y_offset},
};
int current = 0;

celos_status set_mode(void*, uint32_t width, uint32_t height) {
    uint32_t old_w = dev.width, old_h = dev.height;
    if (const char* why = set(width, height)) {
        celos_log(CELOS_LOG_ERROR, "mode %ux%u: %s; %ux%u kept", width, height, why, old_w, old_h);
        return CELOS_ERR_RANGE;
    }
    celos_status s =
        celos_service_replace(CELOS_DISPLAY_SERVICE, CELOS_DISPLAY_INTERFACE_VERSION, &ops[1 - current]);
    if (s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "mode %ux%u: a holder of the display refused it (%s); %ux%u kept", width,
                  height, celos_strerror(s), old_w, old_h);
        set(old_w, old_h);
        return s;
    }
    current = 1 - current;
    celos_log(CELOS_LOG_INFO, "mode %ux%u (virtual height %u)", dev.width, dev.height, dev.virtual_height);
    return CELOS_OK;
}

void restore_boot_mode() {
    if (dev.boot_width && (dev.width != dev.boot_width || dev.height != dev.boot_height))
        program(dev.boot_width, dev.boot_height, dev.boot_height);
}

celos_status bochs_init() {
    dev = Device{};
    // The standard VGA first, then bochs-display (same ids, another class).
    if (celos_pci_find(0x1234, 0x1111, 0, &dev.pci) != CELOS_OK) {
        celos_log(CELOS_LOG_INFO, "no QEMU standard VGA or bochs-display (PCI 1234:1111): not needed");
        return CELOS_ERR_NO_DEVICE;
    }
    uint32_t wanted_w = 0, wanted_h = 0;
    if (mode_param[0]) {
        if (const char* why = parse_mode(mode_param, wanted_w, wanted_h)) {
            celos_log(CELOS_LOG_ERROR, "mode=%s: %s; declining (bootfb stays)", mode_param, why);
            return CELOS_ERR_INVALID;
        }
    }
    const char* kind =
        dev.pci.class_code == 0x03 && dev.pci.subclass == 0x00 ? "standard VGA" : "bochs-display";
    celos_pci_bar fb_bar{};
    if (celos_pci_bar_get(&dev.pci, 0, &fb_bar) != CELOS_OK || !(fb_bar.flags & CELOS_PCI_BAR_MEMORY)) {
        celos_log(CELOS_LOG_ERROR,
                  "%s %02x:%02x.%u: BAR 0 is not a usable memory BAR (the framebuffer); declining", kind,
                  dev.pci.bus, dev.pci.slot, dev.pci.function);
        return CELOS_ERR_INVALID;
    }
    celos_pci_enable(&dev.pci, CELOS_PCI_ENABLE_MEMORY | CELOS_PCI_ENABLE_IO);
    celos_pci_bar mmio_bar{};
    if (celos_pci_bar_get(&dev.pci, 2, &mmio_bar) == CELOS_OK && (mmio_bar.flags & CELOS_PCI_BAR_MEMORY) &&
        mmio_bar.size >= 0x1000) {
        void* m = nullptr;
        if (celos_pci_map_bar(&dev.pci, 2, 0, 0x1000, CELOS_PCI_MAP_UNCACHED, &m) == CELOS_OK)
            dev.mmio = static_cast<volatile uint8_t*>(m);
    }
    uint16_t id = dispi_read(kId);
    if (id < 0xB0C0 || id > 0xB0C5) {
        celos_log(CELOS_LOG_ERROR, "%s: DISPI id 0x%04x is not 0xB0C0..0xB0C5; declining", kind, id);
        return CELOS_ERR_UNSUPPORTED;
    }
    uint64_t vram = uint64_t(dispi_read(kVideoMemory64k)) * 65536;
    dev.vram = vram && vram < fb_bar.size ? vram : fb_bar.size;
    void* fb = nullptr;
    if (celos_status s = celos_pci_map_bar(&dev.pci, 0, 0, dev.vram, CELOS_PCI_MAP_WRITE_COMBINING, &fb);
        s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "%s: cannot map the framebuffer (%s); declining", kind, celos_strerror(s));
        return s;
    }
    dev.framebuffer = static_cast<uint8_t*>(fb);
    // The boot loader's mode: the default, and what exit gives back.
    if (const celos_framebuffer* boot = celos_framebuffer_get();
        boot && boot->physical >= fb_bar.base && boot->physical < fb_bar.base + fb_bar.size) {
        dev.boot_width = boot->width;
        dev.boot_height = boot->height;
    }
    if (!wanted_w) {
        wanted_w = dev.boot_width ? dev.boot_width : 1024;
        wanted_h = dev.boot_height ? dev.boot_height : 768;
    }
    if (const char* why = set(wanted_w, wanted_h)) {
        celos_log(CELOS_LOG_ERROR, "%s: mode %ux%u: %s (%llu KiB of video memory); declining, bootfb stays",
                  kind, wanted_w, wanted_h, why, static_cast<unsigned long long>(dev.vram / 1024));
        restore_boot_mode();
        return CELOS_ERR_RANGE;
    }
    celos_status s =
        celos_service_replace(CELOS_DISPLAY_SERVICE, CELOS_DISPLAY_INTERFACE_VERSION, &ops[current]);
    if (s != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "%s: cannot provide the display (%s); declining", kind, celos_strerror(s));
        restore_boot_mode();
        return s;
    }
    registered = true;
    celos_log(CELOS_LOG_INFO,
              "%s %02x:%02x.%u: %ux%u, 32 bpp, virtual height %u, %llu KiB of video memory, DISPI %s", kind,
              dev.pci.bus, dev.pci.slot, dev.pci.function, dev.width, dev.height, dev.virtual_height,
              static_cast<unsigned long long>(dev.vram / 1024), dev.mmio ? "through MMIO" : "through ports");
    return CELOS_OK;
}

void bochs_exit() {
    if (registered) celos_service_unregister(CELOS_DISPLAY_SERVICE, &ops[current]);
    registered = false;
    restore_boot_mode();
}

} // namespace

CELOS_MODULE_WITH_PARAMS("bochs", "1.0", "", bochs_init, bochs_exit, params, 1);
