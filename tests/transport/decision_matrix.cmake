# The OpenPGP rows of the trust decision matrix over real loopback
# handshakes: production TrustVerifier + KeyringOpenPgpTrust on both sides,
# keys certified, revoked and expired by gpg in the test.
pgptls_test(transport_decision_matrix_tests
  SOURCES decision_matrix_test.cpp
  LIBS pgptls::transport pgptls_test_support)
