# Handshake message parsers: every message of the recorded GnuTLS 3.5
# handshakes (tls-crypto's capture decoder, decrypted Finished included) and
# negative vectors.
pgptls_test(tls_messages_tests
  SOURCES messages_test.cpp
  LIBS pgptls::tls pgptls_tls_capture pgptls_test_support)
