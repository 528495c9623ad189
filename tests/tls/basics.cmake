pgptls_test(tls_tests
  SOURCES
    errors_test.cpp
    interfaces_test.cpp
  LIBS pgptls::tls)
