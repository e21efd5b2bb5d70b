// operator new (nothrow) and delete for C++ modules, on the kernel heap.
// Built as a static archive and linked into each C++ module with `ld -r`,
// so a module that never uses new pulls none of it (and needs no heap).
#include <celos/cxx.h>
#include <celos/heap.h>
#include <celos/log.h>

namespace std {
const nothrow_t nothrow{};
} // namespace std

void* operator new(size_t size, const std::nothrow_t&) noexcept { return kmalloc(size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return kmalloc(size); }
void* operator new(size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    return kmemalign(static_cast<size_t>(alignment), size);
}
void operator delete(void* p) noexcept { kfree(p); }
void operator delete[](void* p) noexcept { kfree(p); }
void operator delete(void* p, size_t size) noexcept {
    // Sized delete: the size must be the one allocated (the heap knows it).
    if (p && size > ksize(p)) celos_panic("operator delete(%p, %zu): block is only %zu bytes", p, size, ksize(p));
    kfree(p);
}
void operator delete[](void* p, size_t) noexcept { kfree(p); }
void operator delete(void* p, std::align_val_t) noexcept { kfree(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { kfree(p); }
