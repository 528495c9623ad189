# TCP_NODELAY on the sockets of transport::async_connect and of the
# connections transport::Server accepts (small handshake flights and
# stanzas must not wait for the peer's delayed ACK).
pgptls_test(transport_nodelay_tests
  SOURCES
    nodelay_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp
  LIBS pgptls::transport pgptls_engine_test_support)
