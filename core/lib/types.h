// Typed hardware values shared by the core and its host tests.
#pragma once

#include <compare>
#include <stddef.h>
#include <stdint.h>

namespace celos {

using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using i32 = int32_t;
using i64 = int64_t;
using usize = size_t;

inline constexpr u64 kPageSize = 4096;
inline constexpr u64 kLargePageSize = 2ull << 20;
inline constexpr u64 kHugePageSize = 1ull << 30;

constexpr u64 align_down(u64 v, u64 a) { return v & ~(a - 1); }
constexpr u64 align_up(u64 v, u64 a) { return (v + a - 1) & ~(a - 1); }
constexpr bool is_aligned(u64 v, u64 a) { return (v & (a - 1)) == 0; }

// A physical address: never dereferenced directly, only through the direct map.
class PhysAddr {
public:
    constexpr PhysAddr() = default;
    constexpr explicit PhysAddr(u64 v) : value_(v) {}
    constexpr u64 value() const { return value_; }
    constexpr PhysAddr operator+(u64 off) const { return PhysAddr(value_ + off); }
    constexpr PhysAddr operator-(u64 off) const { return PhysAddr(value_ - off); }
    constexpr u64 operator-(PhysAddr o) const { return value_ - o.value_; }
    constexpr bool page_aligned() const { return is_aligned(value_, kPageSize); }
    constexpr auto operator<=>(const PhysAddr&) const = default;

private:
    u64 value_ = 0;
};

// A virtual address in the current address space.
class VirtAddr {
public:
    constexpr VirtAddr() = default;
    constexpr explicit VirtAddr(u64 v) : value_(v) {}
    template <typename T> explicit VirtAddr(T* p) : value_(reinterpret_cast<u64>(p)) {}
    constexpr u64 value() const { return value_; }
    template <typename T> T* as() const { return reinterpret_cast<T*>(value_); }
    constexpr VirtAddr operator+(u64 off) const { return VirtAddr(value_ + off); }
    constexpr VirtAddr operator-(u64 off) const { return VirtAddr(value_ - off); }
    constexpr u64 operator-(VirtAddr o) const { return value_ - o.value_; }
    constexpr bool page_aligned() const { return is_aligned(value_, kPageSize); }
    // Bits 63..48 must copy bit 47 (Intel SDM vol. 1, 3.3.7.1).
    constexpr bool canonical() const {
        const u64 top = value_ >> 47;
        return top == 0 || top == 0x1ffff;
    }
    constexpr auto operator<=>(const VirtAddr&) const = default;

private:
    u64 value_ = 0;
};

// A half-open range [begin, end) of physical memory.
struct PhysRange {
    PhysAddr begin;
    PhysAddr end;
    constexpr u64 size() const { return end - begin; }
    constexpr bool empty() const { return end <= begin; }
    constexpr bool overlaps(const PhysRange& o) const { return begin < o.end && o.begin < end; }
};

} // namespace celos
