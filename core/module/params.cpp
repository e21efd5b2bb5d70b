#include "module/params.h"

#include <stdarg.h>

#include "lib/cmdline.h"
#include "lib/format.h"

namespace celos {
namespace {

const char* expected_form(u32 type) {
    switch (type) {
    case CELOS_PARAM_BOOL: return "on/off, yes/no, true/false or 1/0";
    case CELOS_PARAM_INT: return "a 64-bit integer, decimal or 0x hex";
    default: return "a string";
    }
}

const char* type_name(u32 type) {
    switch (type) {
    case CELOS_PARAM_BOOL: return "bool";
    case CELOS_PARAM_INT: return "int";
    default: return "string";
    }
}

struct Applier {
    Span<const celos_module_param> params;
    ParamReport report;
    void* ctx;
    ParamsResult result{};
    u64 seen = 0; // bit i: parameter i was set (the loader allows at most 64)

    void report_v(bool fatal, const char* fmt, va_list args) {
        char message[400];
        vformat(message, sizeof message, fmt, args);
        ++result.problems;
        result.fatal += fatal;
        if (report) report(ctx, fatal, message);
    }
    void say(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        va_list args;
        va_start(args, fmt);
        report_v(false, fmt, args);
        va_end(args);
    }
    void refuse(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        va_list args;
        va_start(args, fmt);
        report_v(true, fmt, args);
        va_end(args);
    }

    const celos_module_param* find(StringView key, usize& index) const {
        for (usize i = 0; i < params.size(); ++i)
            if (key == StringView(params[i].name)) {
                index = i;
                return &params[i];
            }
        return nullptr;
    }

    void word(StringView key, StringView value, bool has_value) {
        const int k = static_cast<int>(key.length), v = static_cast<int>(value.length);
        if (key.empty()) {
            say("'=%.*s' has no parameter name before '='; ignored", v, value.data);
            return;
        }
        usize index = 0;
        const celos_module_param* p = find(key, index);
        if (!p) {
            char known[200] = "none";
            usize at = 0;
            for (usize i = 0; i < params.size() && at < sizeof known; ++i)
                at += format(known + at, sizeof known - at, "%s%s (%s)", i ? ", " : "", params[i].name,
                             type_name(params[i].type));
            say("unknown parameter '%.*s' ignored (parameters: %s)", k, key.data, known);
            return;
        }
        if (p->type != CELOS_PARAM_BOOL && (!has_value || value.empty())) {
            say("parameter '%s' needs a value (%s=%s); default kept", p->name, p->name,
                expected_form(p->type));
            return;
        }
        bool ok = false;
        switch (p->type) {
        case CELOS_PARAM_BOOL: {
            bool b = false;
            ok = param_parse_bool(value, has_value, b);
            if (ok) *static_cast<bool*>(p->value) = b;
            break;
        }
        case CELOS_PARAM_INT: {
            i64 n = 0;
            ok = param_parse_int(value, n);
            if (ok) *static_cast<int64_t*>(p->value) = n;
            break;
        }
        case CELOS_PARAM_STRING:
            if (value.length >= p->size) {
                refuse("parameter '%s': value is %zu bytes, longer than the limit of %u", p->name, value.length,
                       p->size - 1);
                return;
            }
            value.copy_to(static_cast<char*>(p->value), p->size);
            ok = true;
            break;
        }
        if (!ok) {
            say("parameter '%s': bad value '%.*s' (expected %s); default kept", p->name, v, value.data,
                expected_form(p->type));
            return;
        }
        const u64 bit = index < 64 ? 1ull << index : 0;
        if (seen & bit)
            say("parameter '%s' given more than once; the last (%.*s) counts", p->name, v, value.data);
        seen |= bit;
    }
};

} // namespace

bool param_parse_int(StringView v, i64& out) {
    usize i = 0;
    bool negative = false;
    if (i < v.length && (v.data[i] == '-' || v.data[i] == '+')) negative = v.data[i++] == '-';
    unsigned base = 10;
    if (i + 1 < v.length && v.data[i] == '0' && (v.data[i + 1] == 'x' || v.data[i + 1] == 'X')) {
        base = 16;
        i += 2;
    }
    if (i == v.length) return false;
    u64 value = 0;
    for (; i < v.length; ++i) {
        char c = v.data[i];
        unsigned d = c >= '0' && c <= '9'                 ? unsigned(c - '0')
                     : base == 16 && c >= 'a' && c <= 'f' ? unsigned(c - 'a' + 10)
                     : base == 16 && c >= 'A' && c <= 'F' ? unsigned(c - 'A' + 10)
                                                          : 99;
        if (d >= base) return false;
        if (value > (~0ull - d) / base) return false;
        value = value * base + d;
    }
    if (negative ? value > (1ull << 63) : value > (1ull << 63) - 1) return false;
    out = negative ? static_cast<i64>(0 - value) : static_cast<i64>(value);
    return true;
}

bool param_parse_bool(StringView v, bool has_value, bool& out) {
    static constexpr const char* kTrue[] = {"1", "on", "yes", "true"};
    static constexpr const char* kFalse[] = {"0", "off", "no", "false"};
    if (!has_value) return out = true;
    for (const char* t : kTrue)
        if (v == StringView(t)) return out = true;
    for (const char* f : kFalse)
        if (v == StringView(f)) {
            out = false;
            return true;
        }
    return false;
}

ParamsResult params_apply(Span<const celos_module_param> params, const char* args, ParamReport report, void* ctx) {
    Applier applier{params, report, ctx};
    CommandLine(args).for_each(
        [&](StringView key, StringView value, bool has_value) { applier.word(key, value, has_value); });
    return applier.result;
}

} // namespace celos
