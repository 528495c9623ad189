pgptls_test(keyring_core_tests
  SOURCES
    armor_test.cpp
    packet_test.cpp
    cert_test.cpp
  LIBS pgptls::keyring pgptls_test_support)

pgptls_test(keyring_authority_tests
  SOURCES
    authority_test.cpp
  LIBS pgptls::keyring pgptls_test_support)

pgptls_test(keyring_gpg_fixture_tests
  SOURCES
    gpg_fixture_test.cpp
  LIBS pgptls::keyring pgptls_test_support)

pgptls_test(keyring_rfc9580_tests
  SOURCES
    rfc9580_test.cpp
  LIBS pgptls::keyring pgptls_test_support)
