// modules/virtio_gpu's pure parts over fakes: the split virtqueue against a
// fake device that consumes the available ring and writes the used ring
// (virtio 1.1, 2.6), honest and hostile; the response parsing (5.7.6) with
// error codes and out-of-range lengths; the PCI capability records (4.1.4).
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "gpu_proto.h"
#include "virtqueue.h"

using namespace celos;
using namespace celos::virtio;
using namespace celos::virtio_gpu;

namespace {

struct FakeQueue {
    static constexpr uint16_t kSize = 8;
    std::vector<uint8_t> desc = std::vector<uint8_t>(desc_bytes(kSize)),
                         avail = std::vector<uint8_t>(avail_bytes(kSize)),
                         used = std::vector<uint8_t>(used_bytes(kSize));
    SplitQueue q;
    uint16_t seen_avail = 0, used_idx = 0;
    FakeQueue() { REQUIRE(q.init(kSize, desc.data(), avail.data(), used.data()) == nullptr); }

    uint16_t avail_idx() const {
        uint16_t v;
        std::memcpy(&v, avail.data() + 2, 2);
        return v;
    }
    // The device takes the next available chain: its head and descriptors.
    uint16_t take_avail(std::vector<Descriptor>* chain = nullptr) {
        REQUIRE(seen_avail != avail_idx());
        uint16_t head;
        std::memcpy(&head, avail.data() + 4 + (seen_avail % kSize) * 2, 2);
        ++seen_avail;
        if (chain) {
            auto* d = reinterpret_cast<Descriptor*>(desc.data());
            for (uint16_t at = head;; at = d[at].next) {
                chain->push_back(d[at]);
                if (!(d[at].flags & kDescNext)) break;
            }
        }
        return head;
    }
    void complete(uint32_t id, uint32_t len, uint16_t advance = 1) {
        uint32_t slot = used_idx % kSize;
        std::memcpy(used.data() + 4 + slot * 8, &id, 4);
        std::memcpy(used.data() + 8 + slot * 8, &len, 4);
        used_idx = uint16_t(used_idx + advance);
        std::memcpy(used.data() + 2, &used_idx, 2);
    }
};

const Buffer kCommand[2] = {{0x10000, 40, false}, {0x10800, 24, true}};

std::vector<uint8_t> response(uint32_t type, size_t length) {
    std::vector<uint8_t> r(length, 0);
    std::memcpy(r.data(), &type, 4);
    return r;
}

} // namespace

TEST_CASE("virtqueue: chains go out and come back, descriptors are reused", "[virtio]") {
    FakeQueue f;
    for (int round = 0; round < 50; ++round) {
        uint16_t head = 0;
        REQUIRE(f.q.add(kCommand, 2, &head) == nullptr);
        std::vector<Descriptor> chain;
        REQUIRE(f.take_avail(&chain) == head);
        REQUIRE(chain.size() == 2);
        CHECK(chain[0].addr == 0x10000);
        CHECK(chain[0].len == 40);
        CHECK((chain[0].flags & kDescWrite) == 0);
        CHECK(chain[1].flags == kDescWrite);
        uint16_t done = 0;
        uint32_t written = 0;
        const char* why = nullptr;
        CHECK(f.q.take_used(&done, &written, &why) == 0); // nothing yet
        f.complete(head, 24);
        REQUIRE(f.q.take_used(&done, &written, &why) == 1);
        CHECK(done == head);
        CHECK(written == 24);
        CHECK(f.q.in_flight() == 0);
    }
}

TEST_CASE("virtqueue: a full queue refuses more", "[virtio]") {
    FakeQueue f;
    uint16_t head;
    for (int i = 0; i < 4; ++i)
        REQUIRE(f.q.add(kCommand, 2, &head) == nullptr);
    CHECK(std::string(f.q.add(kCommand, 2, &head)) == "the queue is full");
    CHECK(f.q.add(kCommand, 0, &head) != nullptr);
}

TEST_CASE("virtqueue: a hostile device's used ring is refused naming the check", "[virtio]") {
    FakeQueue f;
    uint16_t head = 0, done = 0;
    uint32_t written = 0;
    const char* why = nullptr;
    REQUIRE(f.q.add(kCommand, 2, &head) == nullptr);
    f.take_avail();
    SECTION("an id that is not in flight") {
        f.complete(head + 1, 0);
        REQUIRE(f.q.take_used(&done, &written, &why) == -1);
        CHECK(std::string(why) == "a used id that is not a chain in flight");
    }
    SECTION("an id past the queue") {
        f.complete(1000, 0);
        REQUIRE(f.q.take_used(&done, &written, &why) == -1);
    }
    SECTION("a length past the writable buffers") {
        f.complete(head, 25);
        REQUIRE(f.q.take_used(&done, &written, &why) == -1);
        CHECK(std::string(why) == "a used length past the buffers the device may write");
    }
    SECTION("an index that runs ahead") {
        f.complete(head, 0, 5);
        REQUIRE(f.q.take_used(&done, &written, &why) == -1);
        CHECK(std::string(why) == "the used index ran ahead of the buffers in flight");
    }
    SECTION("the same chain completed twice") {
        f.complete(head, 8);
        REQUIRE(f.q.take_used(&done, &written, &why) == 1);
        f.complete(head, 8);
        REQUIRE(f.q.take_used(&done, &written, &why) == -1);
    }
}

TEST_CASE("virtio-gpu: responses with error codes and bad lengths are refused", "[virtio]") {
    auto ok = response(kRespOkNodata, 24);
    CHECK(check_response(ok.data(), ok.size(), kRespOkNodata, 24) == nullptr);
    CHECK(std::string(check_response(ok.data(), 10, kRespOkNodata, 24)) ==
          "response shorter than its header");
    auto err = response(0x1203, 24);
    CHECK(std::string(check_response(err.data(), err.size(), kRespOkNodata, 24)) ==
          "the device answered with an error");
    CHECK(std::string(response_name(0x1203)) == "ERR_INVALID_RESOURCE_ID");
    auto other = response(kRespOkDisplayInfo, 24);
    CHECK(check_response(other.data(), other.size(), kRespOkNodata, 24) != nullptr);
    auto short_info = response(kRespOkDisplayInfo, 100);
    uint32_t s, w, h;
    CHECK(std::string(preferred_mode(short_info.data(), short_info.size(), &s, &w, &h)) ==
          "response shorter than its type");
}

TEST_CASE("virtio-gpu: the preferred mode is the first enabled scanout, sanely sized", "[virtio]") {
    auto info = response(kRespOkDisplayInfo, sizeof(RespDisplayInfo));
    auto* r = reinterpret_cast<RespDisplayInfo*>(info.data());
    uint32_t s = 99, w = 0, h = 0;
    CHECK(std::string(preferred_mode(info.data(), info.size(), &s, &w, &h)) == "no scanout enabled");
    r->modes[2] = DisplayOne{{0, 0, 1280, 800}, 1, 0};
    REQUIRE(preferred_mode(info.data(), info.size(), &s, &w, &h) == nullptr);
    CHECK(s == 2);
    CHECK(w == 1280);
    CHECK(h == 800);
    r->modes[1] = DisplayOne{{0, 0, 0, 600}, 1, 0};
    CHECK(std::string(preferred_mode(info.data(), info.size(), &s, &w, &h)) ==
          "an enabled scanout of size 0");
    r->modes[1] = DisplayOne{{0, 0, 70000, 600}, 1, 0};
    CHECK(preferred_mode(info.data(), info.size(), &s, &w, &h) != nullptr);
}

TEST_CASE("virtio-gpu: PCI capability records are checked against their BARs", "[virtio]") {
    uint8_t cap[20] = {0x09, 0x50, 20, kCapNotify, 4, 0, 0, 0};
    uint32_t offset = 0x3000, length = 0x1000, mult = 4;
    std::memcpy(cap + 8, &offset, 4);
    std::memcpy(cap + 12, &length, 4);
    std::memcpy(cap + 16, &mult, 4);
    Capability c{};
    REQUIRE(parse_capability(cap, 20, c) == nullptr);
    CHECK(c.bar == 4);
    CHECK(c.notify_multiplier == 4);
    CHECK(check_capability_region(c, 0x4000, 2) == nullptr);
    CHECK(std::string(check_capability_region(c, 0x3800, 2)) == "capability region past the end of its BAR");
    cap[4] = 7;
    CHECK(std::string(parse_capability(cap, 20, c)) == "capability names a BAR above 5");
    cap[4] = 4;
    cap[2] = 16; // a notify capability without its multiplier
    CHECK(parse_capability(cap, 20, c) != nullptr);
    cap[3] = kCapCommon;
    offset = 0xFFFFFFF0;
    std::memcpy(cap + 8, &offset, 4);
    REQUIRE(parse_capability(cap, 16, c) == nullptr);
    CHECK(check_capability_region(c, 0x4000, 56) != nullptr); // wraps past 4 GiB: still refused
    length = 8;
    std::memcpy(cap + 12, &length, 4);
    offset = 0;
    std::memcpy(cap + 8, &offset, 4);
    REQUIRE(parse_capability(cap, 16, c) == nullptr);
    CHECK(std::string(check_capability_region(c, 0x4000, 56)) ==
          "capability region shorter than its structure");
}
