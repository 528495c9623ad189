# Signed pin statements deciding real handshakes: certificate and
# SPKI pins from a stored statement, and their expiry.
pgptls_test(tls_statement_pins_tests
  SOURCES
    statement_pins_test.cpp
    gnutls_test_pki.cpp
  LIBS pgptls::tls pgptls_engine_test_support)
