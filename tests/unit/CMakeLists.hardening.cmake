# Host tests of module hardening (issue 7), included from
# tests/unit/CMakeLists.txt: SHA-256 against FIPS 180-4 and Python's hashlib,
# the module manifest against the modules the build made, the W^X audit,
# and the randomized placement of module ranges.

set(CELOS_SHA256_VECTORS ${CMAKE_CURRENT_BINARY_DIR}/sha256_vectors.txt)
add_custom_command(OUTPUT ${CELOS_SHA256_VECTORS}
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/fixtures/gen_sha256_vectors.py ${CELOS_SHA256_VECTORS}
  DEPENDS ${CMAKE_SOURCE_DIR}/tests/fixtures/gen_sha256_vectors.py
  COMMENT "SHA-256 test vectors from Python's hashlib")
add_custom_target(celos_sha256_vectors DEPENDS ${CELOS_SHA256_VECTORS})

target_sources(celos_unit_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/test_sha256.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_manifest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_wx_audit.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_kaslr_placement.cpp
  ${CELOS_MANIFEST_CPP})
set_source_files_properties(${CELOS_MANIFEST_CPP} PROPERTIES GENERATED TRUE)
target_compile_definitions(celos_unit_tests PRIVATE
  CELOS_SHA256_VECTORS="${CELOS_SHA256_VECTORS}"
  "CELOS_MANIFEST_MODULE_FILES=\"$<JOIN:$<TARGET_PROPERTY:celos_module_manifest,CELOS_MANIFEST_MODULES>,\"$<COMMA>\">\""
  CELOS_TAMPERED_MODULE="${CELOS_TAMPERED_MODULE}")
add_dependencies(celos_unit_tests celos_sha256_vectors celos_module_manifest celos_tampered_module)
