#include "arch/x86_64/serial.h"

#include "arch/x86_64/cpu.h"
#include "lib/format.h"

namespace celos::x86_64 {
namespace {

constexpr u16 kCom1 = 0x3f8;
// Register offsets (PC16550D datasheet).
constexpr u16 kData = 0, kInterruptEnable = 1, kFifoControl = 2, kLineControl = 3,
              kModemControl = 4, kLineStatus = 5;
constexpr u8 kLineStatusTransmitEmpty = 0x20;

SerialSink sink;

} // namespace

SerialSink& serial_sink() { return sink; }

bool SerialSink::init() {
    outb(kCom1 + kInterruptEnable, 0x00);
    outb(kCom1 + kLineControl, 0x80); // DLAB: set the divisor
    outb(kCom1 + kData, 0x01);        // 115200 baud
    outb(kCom1 + kInterruptEnable, 0x00);
    outb(kCom1 + kLineControl, 0x03); // 8N1
    outb(kCom1 + kFifoControl, 0xc7); // FIFOs on, cleared, 14-byte threshold
    outb(kCom1 + kModemControl, 0x1e); // loopback to test the chip
    outb(kCom1 + kData, 0xae);
    if (inb(kCom1 + kData) != 0xae) return present_ = false;
    outb(kCom1 + kModemControl, 0x0f); // normal operation
    return present_ = true;
}

void SerialSink::put(char c) {
    for (int spin = 0; spin < 100000 && !(inb(kCom1 + kLineStatus) & kLineStatusTransmitEmpty); ++spin) {
    }
    outb(kCom1 + kData, static_cast<u8>(c));
}

void SerialSink::write(const char* s, usize length) {
    if (!present_) return;
    for (usize i = 0; i < length; ++i) {
        if (s[i] == '\n') put('\r');
        put(s[i]);
    }
}

void SerialSink::emit(LogLevel level, u64 timestamp_ns, const char* line, usize length) {
    char prefix[48];
    u64 us = timestamp_ns / 1000;
    const char* tag = level == LogLevel::error  ? "error: "
                      : level == LogLevel::warn ? "warn: "
                      : level == LogLevel::debug ? "debug: "
                                                 : "";
    usize n = format(prefix, sizeof prefix, "[%5llu.%06llu] %s", static_cast<unsigned long long>(us / 1000000),
                     static_cast<unsigned long long>(us % 1000000), tag);
    write(prefix, n < sizeof prefix ? n : sizeof prefix - 1);
    write(line, length);
    write("\n", 1);
}

} // namespace celos::x86_64
