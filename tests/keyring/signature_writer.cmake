pgptls_test(keyring_signature_writer_tests
  SOURCES signature_writer_test.cpp store_gpg.cpp
  LIBS pgptls::keyring pgptls_test_support)
