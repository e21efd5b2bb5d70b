// The 16550 UART on COM1: the core's first log sink.
#pragma once

#include "log/log.h"

namespace celos::x86_64 {

class SerialSink final : public LogSink {
public:
    // Programs 115200 8N1 and checks the UART with a loopback test; false
    // when there is no working UART (the sink then drops output).
    bool init();
    void emit(LogLevel level, u64 timestamp_ns, const char* line, usize length) override;
    void write(const char* s, usize length);

private:
    void put(char c);
    bool present_ = false;
};

SerialSink& serial_sink();

} // namespace celos::x86_64
