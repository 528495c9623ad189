# Armor, packets, certificate building, validation and check_peer. Seeds:
# certificates written by gpg (tests/keyring gpg fixtures with
# PGPTLS_WRITE_SEEDS) and the GnuTLS 3.5 and RFC 9580 reference keys.
pgptls_fuzz_target(keyring_cert
  SOURCES keyring_cert_fuzz.cpp
  LIBS pgptls::keyring
  SEEDS "${CMAKE_CURRENT_SOURCE_DIR}/corpus/keyring_cert"
        "${PROJECT_SOURCE_DIR}/tests/data/gnutls-3.5/keys"
        "${PROJECT_SOURCE_DIR}/tests/data/rfc9580")
