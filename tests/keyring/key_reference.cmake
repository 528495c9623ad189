pgptls_test(keyring_key_reference_tests
  SOURCES
    key_reference_test.cpp
  LIBS pgptls::keyring)
