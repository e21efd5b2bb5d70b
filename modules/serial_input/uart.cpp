// See uart.h.
#include "uart.h"

namespace celos::uart {

Result Receiver::probe() {
    Result r;
    // An ISA port nothing decodes reads all ones; a 16550's line status
    // never does (bit 7 is 0 without FIFO errors, and a FIFO error needs
    // data received).
    const uint8_t status = in(kLineStatus);
    if (status == 0xff) {
        r.outcome = Outcome::absent;
        r.check = "line status register reads 0xff";
        r.value = status;
        return r;
    }
    const uint8_t lcr = in(kLineControl);
    if (lcr & kLineControlDlab) {
        // Offset 0 would be the divisor, not the data: whoever owns the line
        // settings is in the middle of changing them.
        r.outcome = Outcome::failed;
        r.check = "line control register has DLAB set (offset 0 is the divisor, not data)";
        r.value = lcr;
        return r;
    }
    for (; r.stale < kStaleLimit && data_ready(); ++r.stale)
        in(kData);
    if (data_ready()) {
        r.outcome = Outcome::failed;
        r.check = "data ready stays set after 256 reads: the receiver never empties";
        r.value = in(kLineStatus);
    }
    return r;
}

Result Receiver::enable() {
    Result r;
    saved_ier_ = in(kInterruptEnable);
    saved_mcr_ = in(kModemControl);
    if (!(saved_mcr_ & kModemControlOut2)) out(kModemControl, saved_mcr_ | kModemControlOut2);
    const uint8_t ier = static_cast<uint8_t>(saved_ier_ | kEnableReceiveData);
    out(kInterruptEnable, ier);
    const uint8_t back = in(kInterruptEnable);
    if (back != ier) {
        out(kInterruptEnable, saved_ier_);
        out(kModemControl, saved_mcr_);
        r.outcome = Outcome::failed;
        r.check = "interrupt enable register does not read back what was written";
        r.value = back;
        return r;
    }
    enabled_ = true;
    return r;
}

void Receiver::disable() {
    if (!enabled_) return;
    enabled_ = false;
    out(kInterruptEnable,
        static_cast<uint8_t>(in(kInterruptEnable) & ~kEnableReceiveData) | (saved_ier_ & kEnableReceiveData));
    if (!(saved_mcr_ & kModemControlOut2)) out(kModemControl, in(kModemControl) & ~kModemControlOut2);
}

void Receiver::kick() {
    const uint8_t ier = in(kInterruptEnable);
    out(kInterruptEnable, ier & ~kEnableReceiveData);
    out(kInterruptEnable, ier);
}

} // namespace celos::uart
