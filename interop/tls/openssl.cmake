# The GnuTLS engine against openssl s_server / s_client started by the tests.
# GoogleTest must be included in this directory scope too, or the
# post-build test discovery of gtest_discover_tests has no script to run.
include(GoogleTest)
pgptls_test(tls_openssl_interop_tests
  SOURCES
    openssl_interop_test.cpp
    "${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp"
  LIBS pgptls::tls pgptls_engine_test_support)
