#include "gpu_proto.h"

namespace celos::virtio_gpu {
namespace {

uint32_t le32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

} // namespace

const char* response_name(uint32_t type) {
    switch (type) {
    case kRespOkNodata: return "OK_NODATA";
    case kRespOkDisplayInfo: return "OK_DISPLAY_INFO";
    case 0x1200: return "ERR_UNSPEC";
    case 0x1201: return "ERR_OUT_OF_MEMORY";
    case 0x1202: return "ERR_INVALID_SCANOUT_ID";
    case 0x1203: return "ERR_INVALID_RESOURCE_ID";
    case 0x1204: return "ERR_INVALID_CONTEXT_ID";
    case 0x1205: return "ERR_INVALID_PARAMETER";
    default:
        return type >= 0x1100 && type < 0x1200 ? "an unexpected OK response" : "an unknown response type";
    }
}

const char* check_response(const uint8_t* data, size_t length, uint32_t expected, size_t min_length) {
    if (length < sizeof(CtrlHeader)) return "response shorter than its header";
    uint32_t type = le32(data);
    if (type >= 0x1200 && type < 0x1300) return "the device answered with an error";
    if (type != expected) return "the response is not of the type the command expects";
    if (length < min_length) return "response shorter than its type";
    return nullptr;
}

const char* preferred_mode(const uint8_t* data, size_t length, uint32_t* scanout, uint32_t* width,
                           uint32_t* height) {
    if (const char* why = check_response(data, length, kRespOkDisplayInfo, sizeof(RespDisplayInfo)))
        return why;
    for (uint32_t i = 0; i < kMaxScanouts; ++i) {
        const uint8_t* one = data + sizeof(CtrlHeader) + i * sizeof(DisplayOne);
        if (!le32(one + 16)) continue; // not enabled
        uint32_t w = le32(one + 8), h = le32(one + 12);
        if (w == 0 || h == 0) return "an enabled scanout of size 0";
        if (w > 16384 || h > 16384) return "an enabled scanout above 16384 pixels";
        *scanout = i;
        *width = w;
        *height = h;
        return nullptr;
    }
    return "no scanout enabled";
}

const char* parse_capability(const uint8_t* bytes, size_t length, Capability& out) {
    if (length < 16) return "capability shorter than 16 bytes";
    uint8_t cap_len = bytes[2];
    if (cap_len < 16) return "capability length below 16";
    out.cfg_type = bytes[3];
    out.bar = bytes[4];
    out.offset = le32(bytes + 8);
    out.length = le32(bytes + 12);
    out.notify_multiplier = 0;
    if (out.cfg_type == kCapNotify) {
        if (cap_len < 20 || length < 20) return "notify capability shorter than 20 bytes";
        out.notify_multiplier = le32(bytes + 16);
    }
    if (out.bar > 5) return "capability names a BAR above 5";
    return nullptr;
}

const char* check_capability_region(const Capability& cap, uint64_t bar_size, uint32_t min_length) {
    if (cap.length < min_length) return "capability region shorter than its structure";
    if (uint64_t(cap.offset) + cap.length > bar_size) return "capability region past the end of its BAR";
    return nullptr;
}

} // namespace celos::virtio_gpu
