pgptls_test(transport_https_fetch_tests
  SOURCES https_fetch_test.cpp
  LIBS pgptls::transport pgptls_test_support)
