# Handshake message parsers: the recorded GnuTLS 3.5 handshakes (read with
# tshark) and negative vectors.
pgptls_test(tls_messages_tests
  SOURCES
    messages_test.cpp
    messages_capture.cpp
  LIBS pgptls::tls pgptls_test_support)
