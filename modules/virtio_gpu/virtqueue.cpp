#include "virtqueue.h"

namespace celos::virtio {

size_t desc_bytes(uint16_t size) {
    return size_t(size) * sizeof(Descriptor);
}
size_t avail_bytes(uint16_t size) {
    return 6 + size_t(size) * 2;
}
size_t used_bytes(uint16_t size) {
    return 6 + size_t(size) * sizeof(UsedElement);
}

const char* SplitQueue::init(uint16_t size, void* desc, void* avail, void* used) {
    if (size == 0 || (size & (size - 1)) || size > 256) return "queue size not a power of two up to 256";
    if (!desc || !avail || !used) return "no memory for the queue";
    desc_ = static_cast<Descriptor*>(desc);
    avail_ = static_cast<volatile uint16_t*>(avail);
    used_ = static_cast<volatile uint16_t*>(used);
    size_ = size;
    for (uint16_t i = 0; i < size; ++i) {
        desc_[i] = Descriptor{0, 0, 0, uint16_t(i + 1)};
        chain_len_[i] = 0;
        writable_[i] = 0;
    }
    free_head_ = 0;
    free_count_ = size;
    avail_idx_ = last_used_ = in_flight_ = 0;
    return nullptr;
}

const char* SplitQueue::add(const Buffer* buffers, uint16_t count, uint16_t* head) {
    if (count == 0) return "an empty chain";
    if (count > free_count_) return "the queue is full";
    uint16_t first = free_head_, at = first;
    uint32_t writable = 0;
    for (uint16_t i = 0; i < count; ++i) {
        Descriptor& d = desc_[at];
        uint16_t next = d.next;
        d.addr = buffers[i].phys;
        d.len = buffers[i].len;
        d.flags = uint16_t((i + 1 < count ? kDescNext : 0) | (buffers[i].device_writes ? kDescWrite : 0));
        if (buffers[i].device_writes) writable += buffers[i].len;
        if (i + 1 < count)
            at = next;
        else
            free_head_ = next;
    }
    free_count_ = uint16_t(free_count_ - count);
    chain_len_[first] = count;
    writable_[first] = writable;
    avail_[2 + (avail_idx_ % size_)] = first;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); // the ring entry before the index (2.6.13)
    avail_[1] = ++avail_idx_;
    ++in_flight_;
    *head = first;
    return nullptr;
}

int SplitQueue::take_used(uint16_t* head, uint32_t* written, const char** why) {
    uint16_t idx = used_[1];
    if (idx == last_used_) return 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); // the index before the element
    if (uint16_t(idx - last_used_) > in_flight_) {
        *why = "the used index ran ahead of the buffers in flight";
        return -1;
    }
    const volatile uint32_t* ring = reinterpret_cast<const volatile uint32_t*>(used_ + 2);
    uint32_t slot = last_used_ % size_;
    uint32_t id = ring[slot * 2], len = ring[slot * 2 + 1];
    if (id >= size_ || chain_len_[id] == 0) {
        *why = "a used id that is not a chain in flight";
        return -1;
    }
    if (len > writable_[id]) {
        *why = "a used length past the buffers the device may write";
        return -1;
    }
    ++last_used_;
    --in_flight_;
    // The chain's descriptors back on the free list.
    uint16_t at = uint16_t(id), count = chain_len_[id];
    for (uint16_t i = 1; i < count; ++i)
        at = desc_[at].next;
    desc_[at].next = free_head_;
    free_head_ = uint16_t(id);
    free_count_ = uint16_t(free_count_ + count);
    chain_len_[id] = 0;
    writable_[id] = 0;
    *head = uint16_t(id);
    *written = len;
    return 1;
}

} // namespace celos::virtio
