// The virtio-gpu control commands the driver sends and the responses it
// reads (virtio 1.1, 5.7.6), and the virtio PCI capability records it finds
// its registers with (4.1.4). Responses and capabilities come from the
// device: each parse checks lengths, types and ranges and names the check
// that failed. Pure logic: compiled into the module, the host tests and the
// fuzz target.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace celos::virtio_gpu {

enum : uint32_t {
    kCmdGetDisplayInfo = 0x0100,
    kCmdResourceCreate2d = 0x0101,
    kCmdResourceUnref = 0x0102,
    kCmdSetScanout = 0x0103,
    kCmdResourceFlush = 0x0104,
    kCmdTransferToHost2d = 0x0105,
    kCmdResourceAttachBacking = 0x0106,
    kRespOkNodata = 0x1100,
    kRespOkDisplayInfo = 0x1101,
    kRespErrUnspec = 0x1200,
};
constexpr uint32_t kFormatB8G8R8X8 = 2; // bytes B, G, R, X: 0x00RRGGBB little-endian
constexpr uint32_t kMaxScanouts = 16;

struct CtrlHeader {
    uint32_t type, flags;
    uint64_t fence_id;
    uint32_t ctx_id;
    uint8_t ring_idx, padding[3];
};
static_assert(sizeof(CtrlHeader) == 24);

struct Rect {
    uint32_t x, y, width, height;
};

struct DisplayOne {
    Rect r;
    uint32_t enabled, flags;
};
struct RespDisplayInfo {
    CtrlHeader hdr;
    DisplayOne modes[kMaxScanouts];
};
static_assert(sizeof(RespDisplayInfo) == 24 + 16 * 24);

struct ResourceCreate2d {
    CtrlHeader hdr;
    uint32_t resource_id, format, width, height;
};
struct SetScanout {
    CtrlHeader hdr;
    Rect r;
    uint32_t scanout_id, resource_id;
};
struct ResourceFlush {
    CtrlHeader hdr;
    Rect r;
    uint32_t resource_id, padding;
};
struct TransferToHost2d {
    CtrlHeader hdr;
    Rect r;
    uint64_t offset;
    uint32_t resource_id, padding;
};
struct MemEntry {
    uint64_t addr;
    uint32_t length, padding;
};
struct AttachBacking {
    CtrlHeader hdr;
    uint32_t resource_id, nr_entries;
    MemEntry entry; // one: the backing is contiguous
};

// "ERR_INVALID_RESOURCE_ID" and the like, for logs.
const char* response_name(uint32_t type);

// A response of `length` bytes (what the used ring says was written) to a
// command that expects `expected` (kRespOkNodata, kRespOkDisplayInfo) of at
// least `min_length` bytes: null when it is one, else why not.
const char* check_response(const uint8_t* data, size_t length, uint32_t expected, size_t min_length);

// The host's preferred mode from a display info response (checked with
// check_response first): the first enabled scanout's size. Null, or why
// there is none usable (no scanout enabled, a size of 0 or above 16384).
const char* preferred_mode(const uint8_t* data, size_t length, uint32_t* scanout, uint32_t* width,
                           uint32_t* height);

// A virtio PCI capability (4.1.4: cfg_type, bar, offset, length), checked
// against the BAR's size: null, or why it cannot be used.
struct Capability {
    uint8_t cfg_type, bar;
    uint32_t offset, length;
    uint32_t notify_multiplier; // notify capabilities only
};
constexpr uint8_t kCapCommon = 1, kCapNotify = 2, kCapIsr = 3, kCapDevice = 4;
// `bytes` is the capability as read from configuration space (at least 16,
// 20 for a notify capability).
const char* parse_capability(const uint8_t* bytes, size_t length, Capability& out);
const char* check_capability_region(const Capability& cap, uint64_t bar_size, uint32_t min_length);

} // namespace celos::virtio_gpu
