# POSH statements and the pin store's statement API (signed statements made
# by gpg through the keyring's fixtures).
pgptls_test(pins_statement_tests
  SOURCES
    posh_statement_test.cpp
    statement_store_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/statement_fixture.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
  LIBS pgptls::keyring pgptls_test_support)
