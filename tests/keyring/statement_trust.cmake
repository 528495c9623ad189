# Signed pin statements: document signatures and who may sign them.
pgptls_test(keyring_statement_trust_tests
  SOURCES
    statement_fixture.cpp
    store_gpg.cpp
    statement_trust_test.cpp
    statement_document_test.cpp
  LIBS pgptls::keyring pgptls_test_support)
