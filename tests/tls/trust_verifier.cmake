# The trust decision over real handshakes (pin store, certtool certificates).
pgptls_test(tls_trust_verifier_tests
  SOURCES
    trust_verifier_test.cpp
    gnutls_test_pki.cpp
  LIBS pgptls::tls pgptls_engine_test_support)
