# KeyringOpenPgpTrust: a revocation held in the keyring rejects a peer that
# still sends its certificate from before (gpg-made keys).
pgptls_test(tls_trust_keyring_revocation_tests
  SOURCES
    trust_keyring_revocation_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
  LIBS pgptls::tls pgptls_test_support)
