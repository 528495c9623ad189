# Half-close (RFC 8446 §6.1, RFC 5246 §7.2.1): after our close_notify the
# peer's remaining data is still delivered, in the GnuTLS and RFC 6091 engines
# and through transport::Stream, TLS 1.3 and 1.2.
pgptls_test(transport_half_close_tests
  SOURCES
    half_close_test.cpp
    memory_stream.cpp
    ${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp
  LIBS pgptls::transport pgptls_engine_test_support)
