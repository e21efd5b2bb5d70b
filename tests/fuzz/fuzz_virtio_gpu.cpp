// libFuzzer target: what a virtio-gpu device writes, as modules/virtio_gpu
// reads it. The input is, in turn: a response buffer (check_response for
// each command type, preferred_mode for display info), a capability record
// (parse_capability, check_capability_region), and a hostile device's used
// ring writes against a split virtqueue (virtqueue.cpp). Invariants: a
// parse that succeeds read only inside the buffer (ASan, exactly-sized
// copies) and gives sane values; the queue never hands back a chain that is
// not in flight, nor a length past its writable buffers, nor loses
// descriptors. Any violation aborts.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "gpu_proto.h"
#include "virtqueue.h"

using namespace celos;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    size_t response_len = data[0] * 2u;
    if (response_len > size - 1) response_len = size - 1;
    std::vector<uint8_t> response(data + 1, data + 1 + response_len);
    const uint8_t* rest = data + 1 + response_len;
    size_t rest_len = size - 1 - response_len;

    for (uint32_t expected : {virtio_gpu::kRespOkNodata, virtio_gpu::kRespOkDisplayInfo})
        (void)virtio_gpu::check_response(response.data(), response.size(), expected,
                                         sizeof(virtio_gpu::CtrlHeader));
    uint32_t scanout = 0, w = 0, h = 0;
    if (!virtio_gpu::preferred_mode(response.data(), response.size(), &scanout, &w, &h))
        if (scanout >= virtio_gpu::kMaxScanouts || w == 0 || h == 0 || w > 16384 || h > 16384) std::abort();
    (void)virtio_gpu::response_name(response.size() >= 4 ? response[0] | response[1] << 8 : 0);

    // A capability record.
    if (rest_len >= 20) {
        std::vector<uint8_t> cap(rest, rest + 20);
        virtio_gpu::Capability c{};
        if (!virtio_gpu::parse_capability(cap.data(), cap.size(), c)) {
            if (c.bar > 5) std::abort();
            uint64_t bar_size = uint64_t(1) << (rest[0] % 40);
            if (!virtio_gpu::check_capability_region(c, bar_size, 16))
                if (uint64_t(c.offset) + c.length > bar_size || c.length < 16) std::abort();
        }
    }

    // The queue: the driver adds chains; the "device" writes used entries
    // from the input, each step 9 bytes: used idx delta, id, len.
    const uint16_t qsize = 8;
    std::vector<uint8_t> desc(virtio::desc_bytes(qsize)), avail(virtio::avail_bytes(qsize)),
        used(virtio::used_bytes(qsize) + 2);
    virtio::SplitQueue q;
    if (q.init(qsize, desc.data(), avail.data(), used.data())) std::abort();
    uint16_t used_idx = 0;
    for (size_t at = 0; at + 9 <= rest_len; at += 9) {
        const uint8_t* step = rest + at;
        if (step[0] & 1) {
            virtio::Buffer b[3] = {{0x1000, 64, false}, {0x2000, 32, true}, {0x3000, 16, true}};
            uint16_t head = 0;
            uint16_t before = q.in_flight();
            if (!q.add(b, uint16_t(1 + step[0] % 3), &head)) {
                if (head >= qsize || q.in_flight() != before + 1) std::abort();
            }
        }
        // The device writes one used element and moves its index.
        uint32_t id = step[1] | step[2] << 8 | uint32_t(step[3]) << 16 | uint32_t(step[4]) << 24;
        uint32_t len = step[5] | step[6] << 8 | uint32_t(step[7]) << 16 | uint32_t(step[8]) << 24;
        uint32_t slot = used_idx % qsize;
        std::memcpy(used.data() + 4 + slot * 8, &id, 4);
        std::memcpy(used.data() + 8 + slot * 8, &len, 4);
        used_idx = uint16_t(used_idx + (step[0] >> 1) % 4);
        std::memcpy(used.data() + 2, &used_idx, 2);
        uint16_t head = 0;
        uint32_t written = 0;
        const char* why = nullptr;
        uint16_t before = q.in_flight();
        int r = q.take_used(&head, &written, &why);
        if (r > 0 && (head >= qsize || written > 48 || q.in_flight() != before - 1)) std::abort();
        if (r < 0 && !why) std::abort();
        if (r < 0) {
            // A real driver stops here; resynchronize the fake to go on.
            used_idx = uint16_t(used_idx - (step[0] >> 1) % 4);
            std::memcpy(used.data() + 2, &used_idx, 2);
        }
        if (q.in_flight() > qsize) std::abort();
    }
    return 0;
}
