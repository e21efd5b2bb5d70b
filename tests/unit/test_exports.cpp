// The export table (core/module/exports.cpp): lookups, duplicates, removal
// by owner, reuse of removed slots, and the limit.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "module/exports.h"

using namespace celos;

TEST_CASE("exports: insert, find, duplicates") {
    auto t = std::make_unique<ExportTable>();
    REQUIRE(t->insert("kmalloc", 0x1000, 0).ok());
    REQUIRE(t->insert("kfree", 0x2000, 0).ok());
    REQUIRE(t->insert("celos_log", 0x3000, kCoreOwner).ok());
    CHECK(t->size() == 3);
    const ExportTable::Entry* e = t->find("kfree");
    REQUIRE(e);
    CHECK(e->address == 0x2000);
    CHECK(e->owner == 0);
    CHECK(t->find("kfre") == nullptr);
    CHECK(t->find("kfreex") == nullptr);
    CHECK(t->find("") == nullptr);
    auto dup = t->insert("kfree", 0x9000, 1);
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().status == Status::exists);
    CHECK(t->find("kfree")->address == 0x2000); // the first one stays
}

TEST_CASE("exports: a module's exports go with it, and the names come back") {
    auto t = std::make_unique<ExportTable>();
    std::vector<std::string> names;
    for (int i = 0; i < 300; ++i)
        names.push_back("sym" + std::to_string(i));
    for (int i = 0; i < 300; ++i)
        REQUIRE(t->insert(names[i].c_str(), static_cast<u64>(i), i % 3).ok());
    t->remove_owned(1);
    CHECK(t->size() == 200);
    for (int i = 0; i < 300; ++i)
        CHECK((t->find(names[i].c_str()) != nullptr) == (i % 3 != 1));
    // Removed names can be exported again, by another owner, and found.
    for (int i = 1; i < 300; i += 3)
        REQUIRE(t->insert(names[i].c_str(), 0x5000, 7).ok());
    CHECK(t->size() == 300);
    CHECK(t->find("sym4")->owner == 7);
    // A name whose probe passes a removed slot is still one name: no
    // second copy slips in behind a tombstone.
    t->remove_owned(0);
    for (int i = 0; i < 300; ++i) {
        if (i % 3 == 0) continue;
        auto again = t->insert(names[i].c_str(), 1, 9);
        CHECK_FALSE(again.ok());
    }
}

TEST_CASE("exports: many load and unload cycles keep lookups working") {
    auto t = std::make_unique<ExportTable>();
    REQUIRE(t->insert("core_fn", 1, kCoreOwner).ok());
    for (int cycle = 0; cycle < 1000; ++cycle) {
        REQUIRE(t->insert("cycle_test_a", 2, 5).ok());
        REQUIRE(t->insert("cycle_test_b", 3, 5).ok());
        REQUIRE(t->find("cycle_test_b"));
        t->remove_owned(5);
    }
    CHECK(t->size() == 1);
    CHECK(t->find("core_fn"));
    CHECK_FALSE(t->find("cycle_test_a"));
}

TEST_CASE("exports: the table refuses past its limit with a clear check") {
    auto t = std::make_unique<ExportTable>();
    std::vector<std::string> names;
    for (usize i = 0; i <= ExportTable::kMaxEntries; ++i)
        names.push_back("n" + std::to_string(i));
    for (usize i = 0; i < ExportTable::kMaxEntries; ++i)
        REQUIRE(t->insert(names[i].c_str(), i, 0).ok());
    auto full = t->insert(names.back().c_str(), 0, 0);
    REQUIRE_FALSE(full.ok());
    CHECK(full.error().status == Status::no_memory);
    CHECK(std::string(full.error().check) == "the export table is full");
    for (usize i = 0; i < ExportTable::kMaxEntries; ++i)
        REQUIRE(t->find(names[i].c_str()));
}
