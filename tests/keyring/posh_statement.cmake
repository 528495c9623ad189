pgptls_test(keyring_posh_statement_tests
  SOURCES posh_statement_test.cpp
  LIBS pgptls::keyring)
