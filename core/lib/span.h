// A bounds-checked view of contiguous memory, and a reader of little-endian
// fields over bytes that come from outside the core.
#pragma once

#include "lib/types.h"

namespace celos {

template <typename T> class Span {
public:
    constexpr Span() = default;
    constexpr Span(T* data, usize size) : data_(data), size_(size) {}
    template <usize N> constexpr Span(T (&array)[N]) : data_(array), size_(N) {}

    constexpr T* data() const { return data_; }
    constexpr usize size() const { return size_; }
    constexpr bool empty() const { return size_ == 0; }
    constexpr T& operator[](usize i) const { return data_[i]; }
    constexpr T* begin() const { return data_; }
    constexpr T* end() const { return data_ + size_; }

    // Empty span when [offset, offset + count) is not inside this one.
    constexpr Span subspan(usize offset, usize count) const {
        if (offset > size_ || count > size_ - offset) return {};
        return Span(data_ + offset, count);
    }
    constexpr bool contains(usize offset, usize count) const {
        return offset <= size_ && count <= size_ - offset;
    }

private:
    T* data_ = nullptr;
    usize size_ = 0;
};

using ByteSpan = Span<const u8>;

// Byte order of a little-endian field <-> the CPU's (nothing on x86_64).
template <typename T> constexpr T le_to_cpu(T v) {
    static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
    if constexpr (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ || sizeof(T) == 1) {
        return v;
    } else if constexpr (sizeof(T) == 2) {
        return static_cast<T>(__builtin_bswap16(static_cast<u16>(v)));
    } else if constexpr (sizeof(T) == 4) {
        return static_cast<T>(__builtin_bswap32(static_cast<u32>(v)));
    } else {
        return static_cast<T>(__builtin_bswap64(static_cast<u64>(v)));
    }
}

// Reads a little-endian integer at p; the caller has checked bounds. A copy
// of the whole width, which the compiler makes one (unaligned) load.
template <typename T> inline T load_le(const u8* p) {
    T v;
    __builtin_memcpy(&v, p, sizeof v);
    return le_to_cpu(v);
}

// Writes a little-endian integer at p (one store); bounds as for load_le.
template <typename T> inline void store_le(u8* p, T v) {
    v = le_to_cpu(v);
    __builtin_memcpy(p, &v, sizeof v);
}

// Reads fields of untrusted bytes. Every read is bounds-checked: a read past
// the end returns false and leaves the output untouched.
class ByteReader {
public:
    constexpr explicit ByteReader(ByteSpan bytes) : bytes_(bytes) {}
    constexpr usize size() const { return bytes_.size(); }
    template <typename T> bool read(usize offset, T& out) const {
        if (!bytes_.contains(offset, sizeof(T))) return false;
        out = load_le<T>(bytes_.data() + offset);
        return true;
    }
    ByteSpan bytes() const { return bytes_; }

private:
    ByteSpan bytes_;
};

} // namespace celos
