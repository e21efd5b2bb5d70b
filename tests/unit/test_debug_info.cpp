// The debugger's record of loaded modules (core/module/debug_info.cpp) on
// the real test modules: every allocated section of the file is recorded
// once, by its index, at the address the loader's layout gives it; the
// generation changes on each load and unload, and only then.
#include <catch2/catch.hpp>

#include <set>

#include "module/debug_info.h"
#include "loader_test_support.h"

using namespace loader_test;

TEST_CASE("debug record: every allocated section at its load address", "[loader][debug_info]") {
    for (const auto& path : split_list(CELOS_LOADER_ORACLE_MODULES)) {
        INFO(path);
        auto m = load_module(path);
        REQUIRE(!m->file.empty());
        REQUIRE(m->parse());
        TestElf elf(m->file);

        const usize slot = 5;
        u64 generation = celos_debug_modules.generation;
        debug_module_added(slot, *m->image, m->targets, "label_from_grub", m->file.size());
        const celos_debug_module& e = celos_debug_modules.modules[slot];
        CHECK(celos_debug_modules.magic == kDebugInfoMagic);
        CHECK(celos_debug_modules.module_size == sizeof(celos_debug_module));
        CHECK(celos_debug_modules.generation == generation + 1);
        CHECK(e.in_use == 1);
        CHECK(std::string(e.name) == m->image->info().name);
        CHECK(std::string(e.file) == "label_from_grub");
        CHECK(e.file_size == m->file.size());
        CHECK(e.base == kTextBase);
        CHECK(e.sections_dropped == 0);

        std::set<u32> alloc;
        for (size_t i = 1; i < elf.sections.size(); ++i)
            if (elf.sections[i].flags & elf::kShfAlloc) alloc.insert(static_cast<u32>(i));
        REQUIRE(e.section_count == alloc.size());
        std::set<u32> seen;
        for (u32 k = 0; k < e.section_count; ++k) {
            const celos_debug_section& s = e.sections[k];
            INFO(elf.sections.at(s.index).name);
            CHECK(alloc.count(s.index) == 1);
            CHECK(seen.insert(s.index).second);
            CHECK(s.address == m->section_address(s.index));
            u64 align = le<u64>(m->file, le<u64>(m->file, 40) + u64(s.index) * 64 + 48); // sh_addralign
            if (align == 0) align = 1;
            CHECK(s.address % align == 0);
        }
        CHECK(seen.count(static_cast<u32>(elf.find(".text") - elf.sections.data())) == 1);

        debug_module_removed(slot);
        CHECK(e.in_use == 0);
        CHECK(celos_debug_modules.generation == generation + 2);
        debug_module_removed(slot); // not in use: no change
        CHECK(celos_debug_modules.generation == generation + 2);
    }
}

TEST_CASE("debug record: a slot beyond the table is ignored", "[loader][debug_info]") {
    auto m = load_module(split_list(CELOS_LOADER_ORACLE_MODULES).at(0));
    REQUIRE(m->parse());
    u64 generation = celos_debug_modules.generation;
    debug_module_added(kDebugMaxModules, *m->image, m->targets, "x", m->file.size());
    debug_module_removed(kDebugMaxModules);
    CHECK(celos_debug_modules.generation == generation);
}
