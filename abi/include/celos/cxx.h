/* C++ support for modules: allocation is explicit and fallible, so only
   the nothrow forms of new are provided (a plain `new` leaves an unresolved
   symbol and the loader refuses the module). They allocate from the kernel
   heap: a module using them depends on "heap". Linked into every C++ module
   by celos_add_module (abi/support/cxx_new.cpp). */
#ifndef CELOS_CXX_H
#define CELOS_CXX_H

#ifndef __cplusplus
#error "celos/cxx.h is for C++ modules"
#endif

#include <stddef.h>

namespace std {
struct nothrow_t {
    explicit nothrow_t() = default;
};
extern const nothrow_t nothrow;
enum class align_val_t : size_t {};
} // namespace std

void* operator new(size_t size, const std::nothrow_t&) noexcept;
void* operator new[](size_t size, const std::nothrow_t&) noexcept;
void* operator new(size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept;
void operator delete(void* p) noexcept;
void operator delete[](void* p) noexcept;
void operator delete(void* p, size_t size) noexcept;
void operator delete[](void* p, size_t size) noexcept;
void operator delete(void* p, std::align_val_t alignment) noexcept;
void operator delete(void* p, size_t size, std::align_val_t alignment) noexcept;

// Placement new, for constructing in memory a module already has.
inline void* operator new(size_t, void* where) noexcept { return where; }
inline void* operator new[](size_t, void* where) noexcept { return where; }

#endif
