# The GnuTLS engine against gnutls-serv / gnutls-cli started by the tests.
pgptls_test(tls_gnutls_interop_tests
  SOURCES
    gnutls_interop_test.cpp
    "${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp"
  LIBS pgptls::tls pgptls_engine_test_support)
