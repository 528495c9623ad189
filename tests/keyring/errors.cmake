pgptls_test(keyring_tests
  SOURCES
    errors_test.cpp
  LIBS pgptls::keyring)
