# Secret key packets: parsing and unlocking under tight S2K limits.
pgptls_fuzz_target(keyring_secret
  SOURCES keyring_secret_fuzz.cpp
  LIBS pgptls::keyring
  SEEDS "${CMAKE_CURRENT_SOURCE_DIR}/keyring_secret_corpus")
