# Keyring store: index, authorities file, certificate store on disk.
pgptls_test(keyring_store_tests
  SOURCES
    store_cert_index_test.cpp
    store_authority_test.cpp
  LIBS pgptls::keyring pgptls_test_support)

# The same store on real certificates made by gpg (cached under the build
# folder by tests/keyring/store_gpg.cpp).
pgptls_test(keyring_store_gpg_tests
  SOURCES
    store_test.cpp
    store_gpg.cpp
    store_world.cpp
  LIBS pgptls::keyring pgptls_test_support)
