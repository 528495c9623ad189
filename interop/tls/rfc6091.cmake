# The RFC 6091 engine in X.509 mode against gnutls-serv/gnutls-cli and
# openssl s_server/s_client, started by the test on 127.0.0.1.
pgptls_test(tls_rfc6091_interop_tests
  SOURCES
    rfc6091_interop_test.cpp
  LIBS pgptls::tls pgptls_tls_engine_test_support pgptls_engine_test_support)
