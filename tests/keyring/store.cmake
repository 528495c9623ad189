# Keyring store: index, authorities file, certificate store on disk.
pgptls_test(keyring_store_tests
  SOURCES
    store_cert_index_test.cpp
    store_authority_test.cpp
  LIBS pgptls::keyring pgptls_test_support)

