// A C++ module that uses the heap: new (nothrow) and delete, kmalloc and
// krealloc, and keeps some memory so the heap's per-module accounting shows
// it. With bug=double_free|overflow|invalid_free|use_after_free it commits
// that bug on purpose, so a boot test can check the heap's report.
#include <celos/abi.h>
#include <celos/cxx.h>

namespace {

char bug[24] = "";
const celos_module_param params[] = {
    {"bug", CELOS_PARAM_STRING, sizeof bug, bug, "double_free, overflow, invalid_free or use_after_free"},
};

struct Node {
    int value;
    Node* next;
};

Node* kept = nullptr; // stays allocated: visible in the heap summary

} // namespace

// Named, non-inlined functions so the heap's report can be checked for them.
extern "C" [[gnu::noinline]] void heap_user_double_free(void* p) { kfree(p); }
extern "C" [[gnu::noinline]] void heap_user_overflow(unsigned char* p, size_t size) {
    p[size] = 0x5a; // one byte past the end
    kfree(p);
}
extern "C" [[gnu::noinline]] void heap_user_invalid_free(void* p) { kfree(p); }
extern "C" [[gnu::noinline]] void* heap_user_use_after_free(unsigned char* p) {
    p[24] = 0x5a; // after kfree (past the free-list links the heap keeps in the first 16 bytes)
    return kmalloc(48);
}

namespace {

bool same(const char* a, const char* b) { return strcmp(a, b) == 0; }

celos_status init() {
    Node* head = nullptr;
    for (int i = 1; i <= 100; ++i) {
        Node* n = new (std::nothrow) Node{i, head};
        if (!n) return CELOS_ERR_NO_MEMORY;
        head = n;
    }
    int sum = 0;
    for (Node* n = head; n; n = n->next) sum += n->value;
    // Keep ten nodes, delete the rest.
    for (int i = 0; i < 90; ++i) {
        Node* next = head->next;
        delete head;
        head = next;
    }
    kept = head;

    auto* text = static_cast<char*>(kmalloc(16));
    if (!text) return CELOS_ERR_NO_MEMORY;
    strncpy(text, "grow me", 16);
    auto* grown = static_cast<char*>(krealloc(text, 4000));
    if (!grown) return CELOS_ERR_NO_MEMORY;
    celos_log(CELOS_LOG_INFO, "100 nodes summed to %d, krealloc kept '%s' (%zu usable bytes)", sum, grown, ksize(grown));
    kfree(grown);

    if (same(bug, "double_free")) {
        void* p = kmalloc(64);
        kfree(p);
        heap_user_double_free(p);
    } else if (same(bug, "overflow")) {
        heap_user_overflow(static_cast<unsigned char*>(kmalloc(64)), 64);
    } else if (same(bug, "invalid_free")) {
        static char not_from_the_heap[64];
        heap_user_invalid_free(not_from_the_heap + 16);
    } else if (same(bug, "use_after_free")) {
        auto* p = static_cast<unsigned char*>(kmalloc(48));
        kfree(p);
        heap_user_use_after_free(p);
        kheap_check();
    } else if (bug[0]) {
        celos_log(CELOS_LOG_WARN, "unknown bug '%s'", bug);
    }
    return CELOS_OK;
}

} // namespace

CELOS_MODULE_WITH_PARAMS("heap_user", "1.0", "heap", init, nullptr, params, 1);
