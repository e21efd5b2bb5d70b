// virtio_gpu: the virtio GPU over modern PCI (virtio 1.x, PCI 1af4:1050:
// -device virtio-gpu-pci, -vga virtio). Finds the common, notify, ISR and
// device configuration regions through the vendor capabilities, sets up the
// control queue (a split virtqueue, polled), asks the host for its displays
// (GET_DISPLAY_INFO), and shows a 2D resource in guest memory on the first
// enabled scanout: RESOURCE_CREATE_2D, RESOURCE_ATTACH_BACKING,
// SET_SCANOUT; the console's writes reach the screen through flush(), which
// sends TRANSFER_TO_HOST_2D and RESOURCE_FLUSH for the rows it wrote.
// mode=WIDTHxHEIGHT picks the size (default: the host's preferred mode).
// Provides the display service in place of bootfb, or alone when the boot
// loader had no framebuffer (no VGA at all).
//
// Everything the device says is checked (capabilities against their BARs,
// the used ring, each response's type and length); a failure at start is
// logged naming the check, the device is reset and the driver declines.
#include <celos/abi.h>
#include <celos/display.h>
#include <celos/pci.h>

#include "gpu_proto.h"
#include "virtqueue.h"

namespace {

using namespace celos::virtio;
using namespace celos::virtio_gpu;

char mode_param[16] = "";
const celos_module_param params[] = {
    {"mode", CELOS_PARAM_STRING, sizeof mode_param, mode_param,
     "WIDTHxHEIGHT (default: the host's preferred)"},
};

// The common configuration (4.1.4.3), by offset.
enum : uint32_t {
    kDeviceFeatureSelect = 0,
    kDeviceFeature = 4,
    kDriverFeatureSelect = 8,
    kDriverFeature = 12,
    kNumQueues = 18,
    kDeviceStatus = 20,
    kQueueSelect = 22,
    kQueueSize = 24,
    kQueueEnable = 28,
    kQueueNotifyOff = 30,
    kQueueDesc = 32,
    kQueueDriver = 40,
    kQueueDevice = 48,
};
enum : uint8_t { kAcknowledge = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8, kFailed = 128 };
constexpr uint64_t kCommandTimeoutNs = 1000000000ull;

struct Gpu {
    celos_pci_device pci{};
    volatile uint8_t* common = nullptr;
    volatile uint8_t* notify = nullptr;
    volatile uint8_t* device_cfg = nullptr;
    uint32_t notify_multiplier = 0;
    volatile uint16_t* queue_notify = nullptr;
    SplitQueue queue;
    uint64_t queue_phys = 0;
    uint8_t* cmd = nullptr; // request at 0, response at 2048
    uint64_t cmd_phys = 0;
    uint32_t scanout = 0, width = 0, height = 0, pitch = 0;
    uint64_t fb_phys = 0;
    size_t fb_pages = 0;
    uint8_t* fb = nullptr;
    uint32_t resource = 1;  // the resource on the scanout (1 or 2: a mode change makes the other)
    bool broken = false;    // a command failed after start: flushes stop
    bool switching = false; // a mode change is making its resource: flushes wait
    bool flushing = false;  // a flush runs (its error line must not flush again)
};
Gpu* gpu = nullptr;
Gpu gpu_storage;
bool registered = false;

template <typename T>
T reg(uint32_t offset) {
    return *reinterpret_cast<volatile T*>(gpu->common + offset);
}
template <typename T>
void set_reg(uint32_t offset, T value) {
    *reinterpret_cast<volatile T*>(gpu->common + offset) = value;
}
void set_reg64(uint32_t offset, uint64_t value) {
    set_reg<uint32_t>(offset, uint32_t(value));
    set_reg<uint32_t>(offset + 4, uint32_t(value >> 32));
}

const char* parse_mode(const char* text, uint32_t& w, uint32_t& h) {
    uint32_t a = 0, b = 0;
    if (const char* e = celos_display_parse_mode(text, &a, &b)) return e;
    if (a < 320 || b < 200 || a > 16384 || b > 16384) return "outside 320x200 .. 16384x16384";
    w = a;
    h = b;
    return nullptr;
}

// One command and its response, polled. Null, or why it failed.
const char* command_locked(const void* request, size_t request_len, size_t response_len, uint32_t expected,
                           uint32_t* response_type);

// One command at a time: the console's flush also runs from the timer
// interrupt, and the queue and the command page are shared.
const char* command(const void* request, size_t request_len, size_t response_len, uint32_t expected,
                    uint32_t* response_type = nullptr) {
    celos_irq_state irq = celos_irq_save();
    const char* why = command_locked(request, request_len, response_len, expected, response_type);
    celos_irq_restore(irq);
    return why;
}

const char* command_locked(const void* request, size_t request_len, size_t response_len, uint32_t expected,
                           uint32_t* response_type) {
    uint8_t* req = gpu->cmd;
    uint8_t* resp = gpu->cmd + 2048;
    memcpy(req, request, request_len);
    memset(resp, 0, response_len);
    Buffer buffers[2] = {{gpu->cmd_phys, uint32_t(request_len), false},
                         {gpu->cmd_phys + 2048, uint32_t(response_len), true}};
    uint16_t head = 0;
    if (const char* why = gpu->queue.add(buffers, 2, &head)) return why;
    *gpu->queue_notify = 0;
    uint64_t start = celos_time_ns();
    for (;;) {
        uint16_t done = 0;
        uint32_t written = 0;
        const char* why = nullptr;
        int r = gpu->queue.take_used(&done, &written, &why);
        if (r < 0) return why;
        if (r > 0) {
            if (done != head) return "the device completed another chain";
            if (response_type) *response_type = *reinterpret_cast<uint32_t*>(resp);
            return check_response(resp, written, expected, response_len);
        }
        if (celos_time_ns() - start > kCommandTimeoutNs) return "no answer within a second";
        __builtin_ia32_pause();
    }
}

CtrlHeader header(uint32_t type) {
    CtrlHeader h{};
    h.type = type;
    return h;
}

// A command that answers OK_NODATA, logged on failure.
bool simple(const char* what, const void* request, size_t length) {
    uint32_t type = 0;
    if (const char* why = command(request, length, sizeof(CtrlHeader), kRespOkNodata, &type)) {
        celos_log(CELOS_LOG_ERROR, "%s: %s (response 0x%x, %s)", what, why, type, response_name(type));
        return false;
    }
    return true;
}

bool transfer_and_flush(uint32_t x, uint32_t y, uint32_t w, uint32_t h) {
    TransferToHost2d t{header(kCmdTransferToHost2d),
                       {x, y, w, h},
                       uint64_t(y) * gpu->pitch + uint64_t(x) * 4,
                       gpu->resource,
                       0};
    if (!simple("TRANSFER_TO_HOST_2D", &t, sizeof t)) return false;
    ResourceFlush f{header(kCmdResourceFlush), {x, y, w, h}, gpu->resource, 0};
    return simple("RESOURCE_FLUSH", &f, sizeof f);
}

void get_mode(void*, celos_display_mode* out) {
    *out = celos_display_mode{};
    out->width = gpu->width;
    out->height = gpu->height;
    out->pitch = gpu->pitch;
    out->virtual_height = gpu->height;
    out->bpp = 32;
    out->red_position = 16;
    out->red_size = 8;
    out->green_position = 8;
    out->green_size = 8;
    out->blue_position = 0;
    out->blue_size = 8;
}

void* framebuffer(void*) {
    return gpu->fb;
}

celos_status mode_at(void*, uint32_t index, uint32_t* width, uint32_t* height) {
    if (index != 0) return CELOS_ERR_NOT_FOUND;
    *width = gpu->width;
    *height = gpu->height;
    return CELOS_OK;
}

celos_status set_mode(void*, uint32_t width, uint32_t height);

// From the console's present, interrupts off: no allocation, bounded waits.
void flush(void*, uint32_t x, uint32_t y, uint32_t w, uint32_t h) {
    if (gpu->broken || gpu->switching || gpu->flushing || x >= gpu->width || y >= gpu->height) return;
    if (w > gpu->width - x) w = gpu->width - x;
    if (h > gpu->height - y) h = gpu->height - y;
    if (w == 0 || h == 0) return;
    gpu->flushing = true;
    if (!transfer_and_flush(x, y, w, h)) {
        gpu->broken = true;
        celos_log(CELOS_LOG_ERROR, "the screen is no longer updated");
    }
    gpu->flushing = false;
}

// Two structs of the same functions: a mode change is announced as a
// replacement (the registry refuses the same ops twice).
const celos_display_ops ops[2] = {
    {"virtio_gpu", nullptr, get_mode, framebuffer, mode_at, set_mode, flush, nullptr},
    {"virtio_gpu", nullptr, get_mode, framebuffer, mode_at, set_mode, flush, nullptr},
};
int current = 0;

// Reads the vendor capabilities and maps the four regions. Null or why not.
const char* map_regions() {
    uint8_t at = 0;
    bool have[5] = {};
    Capability caps[5] = {};
    for (int n = 0; n < 48; ++n) {
        celos_status s = celos_pci_capability(&gpu->pci, 0x09, at, &at);
        if (s == CELOS_ERR_NOT_FOUND) break;
        if (s != CELOS_OK) return "the capability list is malformed";
        uint8_t bytes[20] = {};
        for (uint32_t i = 0; i < 20; i += 4) {
            uint32_t word = 0;
            if (at + i > 252) break;
            celos_pci_config_read(&gpu->pci, at + i, 4, &word);
            memcpy(bytes + i, &word, 4);
        }
        Capability cap{};
        if (const char* why = parse_capability(bytes, at <= 236 ? 20 : 16, cap)) return why;
        if (cap.cfg_type >= kCapCommon && cap.cfg_type <= kCapDevice && !have[cap.cfg_type]) {
            have[cap.cfg_type] = true;
            caps[cap.cfg_type] = cap;
        }
    }
    if (!have[kCapCommon] || !have[kCapNotify] || !have[kCapIsr] || !have[kCapDevice])
        return "a common, notify, ISR or device configuration capability is missing";
    const uint32_t min_length[5] = {0, 56, 2, 1, 16};
    volatile uint8_t* mapped[5] = {};
    for (uint8_t t = kCapCommon; t <= kCapDevice; ++t) {
        celos_pci_bar bar{};
        if (celos_pci_bar_get(&gpu->pci, caps[t].bar, &bar) != CELOS_OK ||
            !(bar.flags & CELOS_PCI_BAR_MEMORY))
            return "a capability names a BAR that is not a usable memory BAR";
        if (const char* why = check_capability_region(caps[t], bar.size, min_length[t])) return why;
        void* m = nullptr;
        if (celos_pci_map_bar(&gpu->pci, caps[t].bar, caps[t].offset, caps[t].length, CELOS_PCI_MAP_UNCACHED,
                              &m) != CELOS_OK)
            return "cannot map a capability region";
        mapped[t] = static_cast<volatile uint8_t*>(m);
    }
    gpu->common = mapped[kCapCommon];
    gpu->notify = mapped[kCapNotify];
    gpu->device_cfg = mapped[kCapDevice];
    gpu->notify_multiplier = caps[kCapNotify].notify_multiplier;
    // The queue's notify address must lie inside the notify region.
    gpu->queue_notify = nullptr;
    return nullptr;
}

// Device status and the control queue (3.1.1). Null or why not.
const char* start_device(uint32_t notify_length) {
    set_reg<uint8_t>(kDeviceStatus, 0);
    uint64_t start = celos_time_ns();
    while (reg<uint8_t>(kDeviceStatus) != 0)
        if (celos_time_ns() - start > kCommandTimeoutNs) return "the device does not reset";
    set_reg<uint8_t>(kDeviceStatus, kAcknowledge);
    set_reg<uint8_t>(kDeviceStatus, kAcknowledge | kDriver);
    set_reg<uint32_t>(kDeviceFeatureSelect, 1);
    if (!(reg<uint32_t>(kDeviceFeature) & 1)) return "the device does not offer VIRTIO_F_VERSION_1";
    set_reg<uint32_t>(kDriverFeatureSelect, 0);
    set_reg<uint32_t>(kDriverFeature, 0);
    set_reg<uint32_t>(kDriverFeatureSelect, 1);
    set_reg<uint32_t>(kDriverFeature, 1); // VIRTIO_F_VERSION_1 only
    set_reg<uint8_t>(kDeviceStatus, kAcknowledge | kDriver | kFeaturesOk);
    if (!(reg<uint8_t>(kDeviceStatus) & kFeaturesOk)) return "the device refused the features";
    if (reg<uint16_t>(kNumQueues) < 1) return "the device has no queues";
    set_reg<uint16_t>(kQueueSelect, 0);
    uint16_t size = reg<uint16_t>(kQueueSize);
    if (size == 0) return "the control queue has size 0";
    uint16_t use = 64;
    while (use > size)
        use = uint16_t(use / 2);
    if (use == 0 || (size & (size - 1)) != 0) use = use ? use : 1;
    set_reg<uint16_t>(kQueueSize, use);
    uint64_t notify_at = uint64_t(reg<uint16_t>(kQueueNotifyOff)) * gpu->notify_multiplier;
    if (notify_at + 2 > notify_length) return "the queue's notify address lies past the notify region";
    gpu->queue_notify = reinterpret_cast<volatile uint16_t*>(gpu->notify + notify_at);
    if (celos_pages_alloc(1, &gpu->queue_phys) != CELOS_OK) return "no memory for the queue";
    uint8_t* q = static_cast<uint8_t*>(celos_phys_to_virt(gpu->queue_phys));
    memset(q, 0, CELOS_PAGE_SIZE);
    if (const char* why = gpu->queue.init(use, q, q + 1024, q + 2048)) return why;
    set_reg64(kQueueDesc, gpu->queue_phys);
    set_reg64(kQueueDriver, gpu->queue_phys + 1024);
    set_reg64(kQueueDevice, gpu->queue_phys + 2048);
    set_reg<uint16_t>(kQueueEnable, 1);
    if (celos_pages_alloc(1, &gpu->cmd_phys) != CELOS_OK) return "no memory for commands";
    gpu->cmd = static_cast<uint8_t*>(celos_phys_to_virt(gpu->cmd_phys));
    set_reg<uint8_t>(kDeviceStatus, kAcknowledge | kDriver | kFeaturesOk | kDriverOk);
    return nullptr;
}

// The resource shown: guest memory, attached and on the scanout.
bool show_resource() {
    gpu->pitch = gpu->width * 4;
    uint64_t bytes = uint64_t(gpu->pitch) * gpu->height;
    gpu->fb_pages = size_t((bytes + CELOS_PAGE_SIZE - 1) / CELOS_PAGE_SIZE);
    if (celos_pages_alloc(gpu->fb_pages, &gpu->fb_phys) != CELOS_OK) {
        celos_log(CELOS_LOG_ERROR, "no memory for a %ux%u framebuffer (%zu contiguous pages)", gpu->width,
                  gpu->height, gpu->fb_pages);
        gpu->fb_pages = 0;
        return false;
    }
    gpu->fb = static_cast<uint8_t*>(celos_phys_to_virt(gpu->fb_phys));
    memset(gpu->fb, 0, gpu->fb_pages * CELOS_PAGE_SIZE);
    ResourceCreate2d create{header(kCmdResourceCreate2d), gpu->resource, kFormatB8G8R8X8, gpu->width,
                            gpu->height};
    if (!simple("RESOURCE_CREATE_2D", &create, sizeof create)) return false;
    AttachBacking attach{
        header(kCmdResourceAttachBacking), gpu->resource, 1, {gpu->fb_phys, uint32_t(bytes), 0}};
    if (!simple("RESOURCE_ATTACH_BACKING", &attach, sizeof attach)) return false;
    SetScanout scanout{header(kCmdSetScanout), {0, 0, gpu->width, gpu->height}, gpu->scanout, gpu->resource};
    if (!simple("SET_SCANOUT", &scanout, sizeof scanout)) return false;
    return transfer_and_flush(0, 0, gpu->width, gpu->height);
}

void unref(uint32_t resource) {
    struct {
        CtrlHeader hdr;
        uint32_t resource_id, padding;
    } u{header(kCmdResourceUnref), resource, 0};
    simple("RESOURCE_UNREF", &u, sizeof u);
}

// A new resource of the new size on the scanout; the holders of the display
// follow (a replacement by the other ops); the old resource goes. On any
// failure the old one stays on the scanout.
celos_status set_mode(void*, uint32_t width, uint32_t height) {
    if (width < 320 || height < 200 || width > 16384 || height > 16384) {
        celos_log(CELOS_LOG_ERROR, "mode %ux%u: outside 320x200 .. 16384x16384; %ux%u kept", width, height,
                  gpu->width, gpu->height);
        return CELOS_ERR_RANGE;
    }
    if (gpu->broken) return CELOS_ERR_IO;
    Gpu old = *gpu;
    gpu->width = width;
    gpu->height = height;
    gpu->resource = old.resource == 1 ? 2 : 1;
    gpu->switching = true; // the console draws the old mode until the replacement
    bool shown = show_resource();
    gpu->switching = false;
    celos_status s = shown ? celos_service_replace(CELOS_DISPLAY_SERVICE, CELOS_DISPLAY_INTERFACE_VERSION,
                                                   &ops[1 - current])
                           : CELOS_ERR_IO;
    if (s != CELOS_OK) {
        gpu->switching = true;
        SetScanout back{header(kCmdSetScanout), {0, 0, old.width, old.height}, old.scanout, old.resource};
        simple("SET_SCANOUT", &back, sizeof back);
        unref(gpu->resource);
        if (gpu->fb_pages) celos_pages_free(gpu->fb_phys, gpu->fb_pages);
        uint32_t w = gpu->width, h = gpu->height;
        gpu->width = old.width;
        gpu->height = old.height;
        gpu->pitch = old.pitch;
        gpu->fb_phys = old.fb_phys;
        gpu->fb_pages = old.fb_pages;
        gpu->fb = old.fb;
        gpu->resource = old.resource;
        gpu->switching = false;
        transfer_and_flush(0, 0, gpu->width, gpu->height);
        celos_log(CELOS_LOG_ERROR, "mode %ux%u: %s (%s); %ux%u kept", w, h,
                  shown ? "a holder of the display refused it" : "the device refused it", celos_strerror(s),
                  gpu->width, gpu->height);
        return s;
    }
    current = 1 - current;
    unref(old.resource);
    celos_pages_free(old.fb_phys, old.fb_pages);
    celos_log(CELOS_LOG_INFO, "mode %ux%u on scanout %u", gpu->width, gpu->height, gpu->scanout);
    return CELOS_OK;
}

void reset_device() {
    if (gpu && gpu->common) set_reg<uint8_t>(kDeviceStatus, 0); // no more DMA into what is released
}

celos_status decline(const char* why) {
    celos_log(CELOS_LOG_ERROR, "virtio-gpu %02x:%02x.%u: %s; declining (bootfb stays)", gpu->pci.bus,
              gpu->pci.slot, gpu->pci.function, why);
    if (gpu->common) set_reg<uint8_t>(kDeviceStatus, kFailed);
    reset_device();
    return CELOS_ERR_INVALID;
}

celos_status virtio_gpu_init() {
    gpu = &gpu_storage;
    *gpu = Gpu{};
    current = 0;
    if (celos_pci_find(0x1AF4, 0x1050, 0, &gpu->pci) != CELOS_OK) {
        celos_log(CELOS_LOG_INFO, "no virtio GPU (PCI 1af4:1050, virtio 1.x): not needed");
        gpu = nullptr;
        return CELOS_ERR_NO_DEVICE;
    }
    uint32_t want_w = 0, want_h = 0;
    if (mode_param[0]) {
        if (const char* why = parse_mode(mode_param, want_w, want_h)) {
            celos_log(CELOS_LOG_ERROR, "mode=%s: %s; declining (bootfb stays)", mode_param, why);
            gpu = nullptr;
            return CELOS_ERR_INVALID;
        }
    }
    celos_pci_enable(&gpu->pci, CELOS_PCI_ENABLE_MEMORY | CELOS_PCI_ENABLE_BUS_MASTER);
    if (const char* why = map_regions()) return decline(why);
    // The notify region's length for the check in start_device.
    uint8_t at = 0;
    uint32_t notify_length = 0;
    while (celos_pci_capability(&gpu->pci, 0x09, at, &at) == CELOS_OK) {
        uint32_t word = 0, length = 0;
        celos_pci_config_read(&gpu->pci, at, 4, &word);
        celos_pci_config_read(&gpu->pci, at + 12u, 4, &length);
        if (((word >> 24) & 0xFF) == kCapNotify) {
            notify_length = length;
            break;
        }
    }
    if (const char* why = start_device(notify_length)) return decline(why);
    // The host's displays.
    CtrlHeader get = header(kCmdGetDisplayInfo);
    uint32_t type = 0;
    if (const char* why = command(&get, sizeof get, sizeof(RespDisplayInfo), kRespOkDisplayInfo, &type)) {
        celos_log(CELOS_LOG_ERROR, "GET_DISPLAY_INFO: %s (response 0x%x, %s)", why, type,
                  response_name(type));
        return decline("no display information");
    }
    uint32_t scanout = 0, host_w = 0, host_h = 0;
    if (const char* why =
            preferred_mode(gpu->cmd + 2048, sizeof(RespDisplayInfo), &scanout, &host_w, &host_h))
        return decline(why);
    gpu->scanout = scanout;
    gpu->width = want_w ? want_w : host_w;
    gpu->height = want_w ? want_h : host_h;
    // The boot screen stops drawing (under -vga virtio, on the VGA framebuffer).
    celos_framebuffer_get();
    if (!show_resource()) return decline("cannot show a resource on the scanout");
    celos_status s =
        celos_service_replace(CELOS_DISPLAY_SERVICE, CELOS_DISPLAY_INTERFACE_VERSION, &ops[current]);
    if (s != CELOS_OK) return decline("cannot provide the display service");
    registered = true;
    celos_log(CELOS_LOG_INFO,
              "virtio-gpu %02x:%02x.%u: scanout %u at %ux%u (host prefers %ux%u), 32 bpp, queue of %u",
              gpu->pci.bus, gpu->pci.slot, gpu->pci.function, gpu->scanout, gpu->width, gpu->height, host_w,
              host_h, gpu->queue.size());
    return CELOS_OK;
}

void virtio_gpu_exit() {
    if (registered) celos_service_unregister(CELOS_DISPLAY_SERVICE, &ops[current]);
    registered = false;
    reset_device();
    gpu = nullptr;
}

} // namespace

CELOS_MODULE_WITH_PARAMS("virtio_gpu", "1.0", "", virtio_gpu_init, virtio_gpu_exit, params, 1);
