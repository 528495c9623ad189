# Detached document signatures made by pgptls, checked by gpg.
pgptls_test(openpgp_signature_writer_tests
  SOURCES signature_writer_test.cpp ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
  LIBS pgptls::keyring pgptls_test_support)
