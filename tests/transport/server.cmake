# transport::Server, async_connect and the synchronous Stream API over
# loopback sockets (deadlines, limits, 200 silent peers).
pgptls_test(transport_server_tests
  SOURCES
    server_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp
  LIBS pgptls::transport pgptls_engine_test_support)
