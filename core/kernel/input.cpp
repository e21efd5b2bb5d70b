#include "kernel/input.h"

#include "lib/irq.h"

namespace celos {
namespace {

constexpr usize kQueue = CELOS_INPUT_QUEUE;
celos_input_event queue[kQueue];
usize head = 0, count = 0; // the oldest event, and how many
u64 dropped = 0;

bool valid_char(u32 cp) {
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) return false; // C0, DEL, C1
    if (cp >= 0xd800 && cp <= 0xdfff) return false;                          // surrogates
    return cp <= 0x10ffff;
}

} // namespace

const char* input_event_check(const celos_input_event& e) {
    if (e.key == CELOS_KEY_NONE || e.key >= CELOS_KEY_COUNT) return "the key is not one of enum celos_key";
    if (e.key == CELOS_KEY_CHAR && !valid_char(e.codepoint))
        return "a character key without a printable code point";
    if (e.key != CELOS_KEY_CHAR && e.codepoint != 0) return "a code point with a named key";
    if (e.modifiers & ~(CELOS_MOD_SHIFT | CELOS_MOD_CTRL | CELOS_MOD_ALT)) return "unknown modifier bits";
    return nullptr;
}

Result<void> input_report(const celos_input_event& event) {
    if (const char* why = input_event_check(event)) return make_error(Status::invalid, why);
    IrqGuard guard;
    if (count == kQueue) {
        ++dropped;
        return make_error(Status::no_memory, "the input queue is full");
    }
    queue[(head + count) % kQueue] = event;
    ++count;
    return {};
}

bool input_read(celos_input_event& event) {
    IrqGuard guard;
    if (count == 0) return false;
    event = queue[head];
    head = (head + 1) % kQueue;
    --count;
    return true;
}

bool input_pending() {
    return count != 0;
}

usize input_room() {
    IrqGuard guard;
    return kQueue - count;
}

u64 input_dropped() {
    return dropped;
}

void input_reset() {
    IrqGuard guard;
    head = count = 0;
    dropped = 0;
}

} // namespace celos
