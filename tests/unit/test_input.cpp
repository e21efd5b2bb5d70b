// The input queue: events are checked, kept in order, and a full queue
// drops the newest and counts it.
#include <catch2/catch.hpp>

#include "kernel/input.h"

using namespace celos;

namespace {

celos_input_event ch(uint32_t cp, uint32_t mods = 0) {
    return {CELOS_KEY_CHAR, cp, mods, CELOS_INPUT_KEYBOARD};
}

celos_input_event key(uint32_t k, uint32_t mods = 0) {
    return {k, 0, mods, CELOS_INPUT_SERIAL};
}

} // namespace

TEST_CASE("input: events come out in the order they went in") {
    input_reset();
    REQUIRE(input_report(ch('a')).ok());
    REQUIRE(input_report(key(CELOS_KEY_UP, CELOS_MOD_SHIFT)).ok());
    REQUIRE(input_report(ch(0x4e2d)).ok());
    CHECK(input_pending());
    celos_input_event e{};
    REQUIRE(input_read(e));
    CHECK(e.key == CELOS_KEY_CHAR);
    CHECK(e.codepoint == 'a');
    REQUIRE(input_read(e));
    CHECK(e.key == CELOS_KEY_UP);
    CHECK(e.modifiers == CELOS_MOD_SHIFT);
    CHECK(e.source == CELOS_INPUT_SERIAL);
    REQUIRE(input_read(e));
    CHECK(e.codepoint == 0x4e2d);
    CHECK_FALSE(input_read(e));
    CHECK_FALSE(input_pending());
}

TEST_CASE("input: invalid events are refused with the check named") {
    input_reset();
    struct Bad {
        celos_input_event e;
        const char* why;
    };
    for (const Bad& b : {Bad{key(CELOS_KEY_NONE), "enum"}, Bad{key(CELOS_KEY_COUNT), "enum"},
                         Bad{key(9999), "enum"}, Bad{ch(0), "printable"}, Bad{ch(0x1b), "printable"},
                         Bad{ch(0x7f), "printable"}, Bad{ch(0x85), "printable"}, Bad{ch(0xd800), "printable"},
                         Bad{ch(0x110000), "printable"}, Bad{{CELOS_KEY_ENTER, 'x', 0, 1}, "named key"},
                         Bad{ch('a', 0x80), "modifier"}}) {
        INFO(b.e.key << " " << b.e.codepoint);
        auto r = input_report(b.e);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().status == Status::invalid);
        CHECK(std::string(r.error().check).find(b.why) != std::string::npos);
    }
    CHECK_FALSE(input_pending());
}

TEST_CASE("input: a full queue drops the newest events and counts them") {
    input_reset();
    for (uint32_t i = 0; i < CELOS_INPUT_QUEUE; ++i)
        REQUIRE(input_report(ch('a' + i % 26)).ok());
    auto r = input_report(ch('z'));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().status == Status::no_memory);
    CHECK(input_dropped() == 1);
    celos_input_event e{};
    for (uint32_t i = 0; i < CELOS_INPUT_QUEUE; ++i) {
        REQUIRE(input_read(e));
        CHECK(e.codepoint == 'a' + i % 26);
    }
    CHECK_FALSE(input_read(e));
    REQUIRE(input_report(ch('b')).ok()); // room again, the ring wrapped
    REQUIRE(input_read(e));
    CHECK(e.codepoint == 'b');
}
