# The server's pacing of handshakes behind records (transport/server_pacer)
# and its in-flight handshake bound under a flood of loopback clients.
pgptls_test(transport_server_pacing_tests
  SOURCES
    server_pacing_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp
  LIBS pgptls::transport pgptls_engine_test_support)
