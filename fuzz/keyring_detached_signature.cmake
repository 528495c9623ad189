# Detached signature files of signed pin statements. Seeds:
# signatures made by gpg (binary, armored, text mode, SHA-1) over a statement
# by the tests/keyring statement fixture.
pgptls_fuzz_target(keyring_detached_signature
  SOURCES keyring_detached_signature_fuzz.cpp
  LIBS pgptls::keyring
  SEEDS "${CMAKE_CURRENT_SOURCE_DIR}/corpus/keyring_detached_signature")
