# The server's pacing of handshakes behind records (transport/server_pacer)
# and its in-flight handshake bound under a flood of loopback clients; a
# handshake deadline that fires on time while handshake steps wait.
pgptls_test(transport_server_pacing_tests
  SOURCES
    server_pacing_test.cpp
    paced_deadline_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp
  LIBS pgptls::transport pgptls_engine_test_support)
