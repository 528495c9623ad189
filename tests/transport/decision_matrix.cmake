# The OpenPGP rows of the trust decision matrix over real loopback
# handshakes: production TrustVerifier + KeyringOpenPgpTrust on both sides,
# keys certified, revoked and expired by gpg (made once, cached in the
# build folder by tests/keyring/store_gpg.cpp).
pgptls_test(transport_decision_matrix_tests
  SOURCES
    decision_matrix_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
  LIBS pgptls::transport pgptls_test_support)
