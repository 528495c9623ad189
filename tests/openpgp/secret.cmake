# Secret keys: S2K, passphrase sources, secret-key packets and unlocking.
pgptls_test(openpgp_secret_tests
  SOURCES
    secret_s2k_test.cpp
    secret_passphrase_test.cpp
    secret_key_test.cpp
  LIBS pgptls::openpgp pgptls_test_support)
