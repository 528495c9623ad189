pgptls_test(keyring_core_tests
  SOURCES
    armor_test.cpp
    packet_test.cpp
    cert_test.cpp
  LIBS pgptls::keyring pgptls_test_support)
