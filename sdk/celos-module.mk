# The CelOS module SDK's Makefile fragment (written by `./celos sdk DIR`).
#
#   CELOS_SDK ?= /path/to/sdk
#   MODULE  := hello                  # one module ...
#   SOURCES := hello.c
#   MODULES := hello hello_cpp        # ... or several, each with NAME_SOURCES
#   hello_cpp_SOURCES := hello_cpp.cpp
#   include $(CELOS_SDK)/make/celos-module.mk
#
# `make` builds NAME.ko for each module (in CELOS_OUT, default the current
# folder; objects in CELOS_OUT/obj): compiled with the kernel's flags
# (celos-flags.mk, generated from the same CMake file the CelOS tree builds
# its modules with) against the SDK's headers and the compiler's
# freestanding headers only, then combined with `ld -r`. A C++ module gets
# operator new (nothrow) and delete on the kernel heap (support/cxx_new.cpp).
# With python3, each .ko's undefined symbols are then checked (the SDK's
# tools/check_module_links.py): one that is neither a core export nor an
# export of a module in the descriptor's dependencies (modules/*.exports, or
# a module of this Makefile) fails the build with the loader's reason.
# `make clean` removes what it built. CC, CXX and LD are make's usual ones.

ifndef CELOS_SDK
CELOS_SDK := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
endif
include $(CELOS_SDK)/make/celos-flags.mk

ifdef MODULE
MODULES += $(MODULE)
$(MODULE)_SOURCES ?= $(SOURCES)
endif
ifeq ($(strip $(MODULES)),)
$(error celos-module.mk: set MODULE and SOURCES (or MODULES and NAME_SOURCES) before including it)
endif

CELOS_OUT ?= .
CELOS_OBJ ?= $(CELOS_OUT)/obj
LD ?= ld
CELOS_COMPILER_INCLUDE := $(shell $(CC) -print-file-name=include)
CELOS_CPPFLAGS := -I$(CELOS_SDK)/include -isystem $(CELOS_COMPILER_INCLUDE) -MMD -MP
CELOS_CFLAGS := -std=gnu$(CELOS_MODULE_C_STANDARD) $(CELOS_MODULE_FLAGS) $(CELOS_KERNEL_WARNINGS)
CELOS_CXXFLAGS := -std=gnu++$(CELOS_MODULE_CXX_STANDARD) $(CELOS_MODULE_FLAGS) $(CELOS_KERNEL_CXX_FLAGS) \
                  $(CELOS_KERNEL_WARNINGS)
CELOS_CXX_SUPPORT := $(CELOS_OBJ)/libcelos_cxx_support.a

CELOS_KOS := $(foreach m,$(MODULES),$(CELOS_OUT)/$(m).ko)
CELOS_PYTHON ?= $(shell command -v python3)

.PHONY: all clean
all: $(CELOS_KOS) $(if $(CELOS_PYTHON),$(CELOS_KOS:=.linkcheck))

# The link check (issue 13), after every module of this Makefile is linked.
%.ko.linkcheck: %.ko $(CELOS_KOS)
	$(CELOS_PYTHON) $(CELOS_SDK)/tools/check_module_links.py --core-exports $(CELOS_SDK)/exports.txt \
	  $(foreach e,$(wildcard $(CELOS_SDK)/modules/*.exports),--exports $(e)) \
	  $(foreach k,$(filter-out $<,$(CELOS_KOS)),--module $(k)) --stamp $@ $<

define celos_module_rules
$(CELOS_OUT)/$(1).ko: $$(patsubst %,$$(CELOS_OBJ)/%.o,$$($(1)_SOURCES)) \
                      $$(if $$(filter %.cpp %.cc %.cxx,$$($(1)_SOURCES)),$$(CELOS_CXX_SUPPORT))
	@mkdir -p $$(@D)
	$$(LD) -r --build-id=none -o $$@ $$^
CELOS_ALL_OBJS += $$(patsubst %,$$(CELOS_OBJ)/%.o,$$($(1)_SOURCES))
endef
$(foreach m,$(MODULES),$(eval $(call celos_module_rules,$(m))))

$(CELOS_OBJ)/%.c.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CELOS_CPPFLAGS) $(CELOS_CFLAGS) -c -o $@ $<
$(CELOS_OBJ)/%.cpp.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CELOS_CPPFLAGS) $(CELOS_CXXFLAGS) -c -o $@ $<
$(CELOS_OBJ)/%.cc.o: %.cc
	@mkdir -p $(@D)
	$(CXX) $(CELOS_CPPFLAGS) $(CELOS_CXXFLAGS) -c -o $@ $<
$(CELOS_OBJ)/%.cxx.o: %.cxx
	@mkdir -p $(@D)
	$(CXX) $(CELOS_CPPFLAGS) $(CELOS_CXXFLAGS) -c -o $@ $<

$(CELOS_OBJ)/celos_cxx_support/cxx_new.o: $(CELOS_SDK)/support/cxx_new.cpp
	@mkdir -p $(@D)
	$(CXX) $(CELOS_CPPFLAGS) $(CELOS_CXXFLAGS) -c -o $@ $<
$(CELOS_CXX_SUPPORT): $(CELOS_OBJ)/celos_cxx_support/cxx_new.o
	rm -f $@
	$(AR) rcs $@ $^

clean:
	rm -rf $(CELOS_OBJ) $(CELOS_KOS) $(CELOS_KOS:=.linkcheck)

-include $(CELOS_ALL_OBJS:.o=.d) $(CELOS_OBJ)/celos_cxx_support/cxx_new.d
