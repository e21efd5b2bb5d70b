// libFuzzer target: module parameters (core/module/params.cpp) and the
// kernel command line's options (core/kernel/boot_options.cpp), the two
// parsers of key=value words from grub.cfg. The first byte shapes the
// parameter table (string sizes), the rest is the line. Every string value
// lives in an exactly-sized heap block, so ASan catches any write past it;
// after parsing, strings are terminated within their size, booleans are 0 or
// 1, messages are bounded and counted, and option values point into the line.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "kernel/boot_options.h"
#include "module/params.h"

using namespace celos;

namespace {

struct Count {
    size_t messages = 0;
    size_t fatal = 0;
};

void on_message(void* ctx, const char* message) {
    if (std::strlen(message) >= 400) std::abort(); // the parsers' bound
    ++static_cast<Count*>(ctx)->messages;
}

void on_param_message(void* ctx, bool fatal, const char* message) {
    on_message(ctx, message);
    static_cast<Count*>(ctx)->fatal += fatal;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const size_t string_size = 1 + data[0] % 40;
    std::string line(reinterpret_cast<const char*>(data + 1), size - 1);
    line = line.c_str(); // the line ends at its first NUL, as a module2 line does

    // Parameters: each type, two strings of the chosen size (one byte, the
    // smallest a descriptor may give, when data[0] is a multiple of 40).
    bool flag = false;
    int64_t number = 0;
    std::unique_ptr<char[]> text(new char[string_size]);
    std::unique_ptr<char[]> font(new char[string_size]);
    std::memset(text.get(), 'd', string_size - 1);
    text[string_size - 1] = '\0';
    font[0] = '\0';
    celos_module_param params[4];
    std::memset(params, 0, sizeof params);
    const char* names[] = {"flag", "n", "text", "font"};
    const uint32_t types[] = {CELOS_PARAM_BOOL, CELOS_PARAM_INT, CELOS_PARAM_STRING, CELOS_PARAM_STRING};
    void* values[] = {&flag, &number, text.get(), font.get()};
    for (int i = 0; i < 4; ++i) {
        std::strcpy(params[i].name, names[i]);
        params[i].type = types[i];
        params[i].size = types[i] == CELOS_PARAM_STRING ? static_cast<uint32_t>(string_size) : 0;
        params[i].value = values[i];
    }
    Count count;
    ParamsResult r = params_apply(Span<const celos_module_param>(params, 4), line.c_str(), on_param_message, &count);
    if (r.problems != count.messages || r.fatal != count.fatal) std::abort();
    if (std::memchr(text.get(), '\0', string_size) == nullptr) std::abort();
    if (std::memchr(font.get(), '\0', string_size) == nullptr) std::abort();
    unsigned char raw;
    std::memcpy(&raw, &flag, 1);
    if (raw > 1) std::abort();

    // The same line as a kernel command line.
    BootOptions options;
    Count option_count;
    size_t misuses = boot_options_parse(line.c_str(), options, on_message, &option_count);
    if (misuses != option_count.messages) std::abort();
    const char* begin = line.c_str();
    const char* end = begin + line.size();
    for (StringView v : {options.fault, options.modsig, options.wxaudit}) {
        if (v.empty()) continue;
        if (v.data < begin || v.data + v.length > end) std::abort();
        if (std::memchr(v.data, ' ', v.length) || std::memchr(v.data, '\t', v.length)) std::abort();
    }
    if (!options.modsig.empty() && !(options.modsig == StringView("warn") || options.modsig == StringView("enforce")))
        std::abort();
    return 0;
}
