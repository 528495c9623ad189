# transport::Stream over an in-memory stream pair, GnuTLS engines, X.509
# certificates made by certtool.
pgptls_test(transport_stream_tests
  SOURCES
    stream_test.cpp
    memory_stream.cpp
    ${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp
  LIBS pgptls::transport pgptls_engine_test_support)
