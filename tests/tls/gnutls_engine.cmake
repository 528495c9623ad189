# The GnuTLS engine in memory against itself (certificates made by certtool).
pgptls_test(tls_gnutls_engine_tests
  SOURCES
    gnutls_engine_test.cpp
    gnutls_test_pki.cpp
  LIBS pgptls::tls pgptls_engine_test_support)
