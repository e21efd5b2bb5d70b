// A split virtqueue (virtio 1.1, 2.6) over memory the caller provides:
// descriptor table, available ring and used ring. Polled: the driver adds a
// chain, notifies, and reads the used ring. Everything the device writes
// (used index, ids, lengths) is checked. Pure logic: compiled into the
// module and the host tests, where a fake device answers.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace celos::virtio {

struct Descriptor {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
constexpr uint16_t kDescNext = 1, kDescWrite = 2;

struct UsedElement {
    uint32_t id;
    uint32_t len;
};

// The bytes each part needs for `size` entries (2.6: alignments 16, 2, 4).
size_t desc_bytes(uint16_t size);
size_t avail_bytes(uint16_t size);
size_t used_bytes(uint16_t size);

struct Buffer {
    uint64_t phys; // what the device sees
    uint32_t len;
    bool device_writes;
};

class SplitQueue {
  public:
    // `size` a power of two, <= 32768; the three areas zeroed by the caller.
    const char* init(uint16_t size, void* desc, void* avail, void* used);
    // Adds one chain; *head gets its id. Null, or why not (no room).
    const char* add(const Buffer* buffers, uint16_t count, uint16_t* head);
    // The next completion: 1 and *head/*written when one came, 0 when none
    // yet, -1 with *why when the device wrote nonsense (an index that ran
    // ahead, an id not in flight, a length past the writable buffers).
    int take_used(uint16_t* head, uint32_t* written, const char** why);
    uint16_t size() const { return size_; }
    uint16_t in_flight() const { return in_flight_; }

  private:
    Descriptor* desc_ = nullptr;
    volatile uint16_t* avail_ = nullptr; // flags, idx, ring[size], used_event
    volatile uint16_t* used_ = nullptr;  // flags, idx, then UsedElement[size]
    uint16_t size_ = 0;
    uint16_t free_head_ = 0, free_count_ = 0;
    uint16_t avail_idx_ = 0, last_used_ = 0, in_flight_ = 0;
    // Per head: the chain's length and the bytes the device may write, 0
    // when the head is not in flight.
    uint16_t chain_len_[256] = {};
    uint32_t writable_[256] = {};
};

} // namespace celos::virtio
