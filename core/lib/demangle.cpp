#include "lib/demangle.h"

namespace celos {
namespace {

// Itanium C++ ABI, 5.1 "External Names": only <nested-name> and
// <unqualified-name> made of <source-name>s, constructors, destructors and
// a few operators; no templates or substitutions.
class Demangler {
public:
    Demangler(const char* in, char* out, usize size) : in_(in), out_(out), size_(size) {}

    bool run() {
        if (in_[0] != '_' || in_[1] != 'Z') return false;
        in_ += 2;
        if (*in_ == 'L') ++in_; // internal linkage
        if (in_[0] == 'S' && in_[1] == 't') {
            put("std::");
            in_ += 2;
        }
        bool ok = *in_ == 'N' ? nested() : unqualified(nullptr, 0);
        // The parameters and any clone suffix (".part.0") that follow are
        // left out, as in the core's own symbol table.
        return ok && length_ < size_;
    }

private:
    void put(const char* s, usize n = ~usize(0)) {
        for (usize i = 0; i < n && s[i]; ++i) {
            if (length_ + 1 < size_) out_[length_] = s[i];
            ++length_;
        }
        if (size_) out_[length_ + 1 < size_ ? length_ : size_ - 1] = '\0';
    }

    bool number(usize& n) {
        if (*in_ < '0' || *in_ > '9') return false;
        n = 0;
        while (*in_ >= '0' && *in_ <= '9') {
            n = n * 10 + static_cast<usize>(*in_++ - '0');
            if (n > 4096) return false;
        }
        return true;
    }

    // <source-name> ::= <length> <identifier>; "_GLOBAL__N_1" is an anonymous namespace.
    bool source_name(const char*& name, usize& length) {
        if (!number(length)) return false;
        for (usize i = 0; i < length; ++i)
            if (in_[i] == '\0') return false;
        name = in_;
        in_ += length;
        return true;
    }

    void emit_name(const char* name, usize length) {
        static const char kAnon[] = "_GLOBAL__N";
        bool anonymous = length >= sizeof kAnon - 1;
        for (usize i = 0; anonymous && i < sizeof kAnon - 1; ++i) anonymous = name[i] == kAnon[i];
        if (anonymous) put("(anonymous namespace)");
        else put(name, length);
    }

    // One component; `last`/`last_length` is the enclosing name, for ctors and dtors.
    bool unqualified(const char* last, usize last_length) {
        if (*in_ >= '0' && *in_ <= '9') {
            const char* name;
            usize length;
            if (!source_name(name, length)) return false;
            emit_name(name, length);
            previous_ = name;
            previous_length_ = length;
            return true;
        }
        if (in_[0] == 'C' && (in_[1] == '1' || in_[1] == '2')) {
            if (!last) return false;
            emit_name(last, last_length);
            in_ += 2;
            return true;
        }
        if (in_[0] == 'D' && (in_[1] == '0' || in_[1] == '1' || in_[1] == '2')) {
            if (!last) return false;
            put("~");
            emit_name(last, last_length);
            in_ += 2;
            return true;
        }
        struct Operator {
            char code[3];
            const char* name;
        };
        static const Operator kOperators[] = {
            {"nw", "operator new"}, {"na", "operator new[]"}, {"dl", "operator delete"}, {"da", "operator delete[]"},
            {"cl", "operator()"},   {"aS", "operator="},      {"eq", "operator=="},      {"ix", "operator[]"},
        };
        for (const Operator& op : kOperators) {
            if (in_[0] == op.code[0] && in_[1] == op.code[1]) {
                put(op.name);
                in_ += 2;
                return true;
            }
        }
        return false;
    }

    // <nested-name> ::= N [<CV-qualifiers>] [<ref-qualifier>] <prefix> <unqualified-name> E
    bool nested() {
        ++in_;
        while (*in_ == 'K' || *in_ == 'V' || *in_ == 'r' || *in_ == 'R' || *in_ == 'O') ++in_;
        if (in_[0] == 'S' && in_[1] == 't') {
            put("std::");
            in_ += 2;
        }
        bool first = true;
        while (*in_ != 'E') {
            if (*in_ == '\0' || *in_ == 'I' || *in_ == 'S' || *in_ == 'T') return false; // templates, substitutions
            if (!first) put("::");
            if (*in_ == 'L') ++in_; // internal linkage
            if (!unqualified(previous_, previous_length_)) return false;
            first = false;
        }
        ++in_;
        return !first;
    }

    const char* in_;
    char* out_;
    usize size_;
    usize length_ = 0;
    const char* previous_ = nullptr;
    usize previous_length_ = 0;
};

} // namespace

bool demangle_function_name(const char* mangled, char* out, usize size) {
    if (size == 0) return false;
    out[0] = '\0';
    Demangler d(mangled, out, size);
    if (d.run()) return true;
    out[0] = '\0';
    return false;
}

} // namespace celos
