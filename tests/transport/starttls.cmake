# XMPP-style STARTTLS upgrade of a plain loopback socket.
pgptls_test(transport_starttls_tests
  SOURCES
    starttls_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp
  LIBS pgptls::transport pgptls_engine_test_support)
