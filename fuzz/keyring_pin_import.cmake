# `pgptls pin import` JSON parsing: any input is rejected cleanly or parsed
# into a snapshot that formats and parses back to itself.
pgptls_fuzz_target(keyring_pin_import
  SOURCES keyring_pin_import_fuzz.cpp
  LIBS pgptls::keyring
  SEEDS "${CMAKE_CURRENT_SOURCE_DIR}/corpus/keyring_pin_import")
