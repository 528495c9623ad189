# Close order (RFC 5246 §7.2.1, RFC 8446 §6.1): a close_notify behind
# application data takes effect only once the application has read that
# data, in the GnuTLS and RFC 6091 engines and through transport::Stream
# with an echo server over loopback TCP.
pgptls_test(transport_close_order_tests
  SOURCES
    close_order_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp
  LIBS pgptls::transport pgptls_engine_test_support)
