# The ClientHello dispatcher (real hellos from GnuTLS 3.7 and the GnuTLS 3.5
# capture, read with tshark by the test).
pgptls_test(tls_client_hello_peek_tests
  SOURCES
    client_hello_peek_test.cpp
    gnutls_test_pki.cpp
  LIBS pgptls::tls pgptls_engine_test_support)
