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

// Reads a little-endian integer at `offset`; the caller has checked bounds.
template <typename T> inline T load_le(const u8* p) {
    T v = 0;
    for (usize i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(p[i]) << (8 * i));
    return v;
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
