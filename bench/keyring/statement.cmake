# Signed pin statements: verifying statements and bundles, and
# storing a refresh's worth of statements.
pgptls_bench(keyring_statement_bench
  SOURCES statement_bench.cpp
  LIBS pgptls::keyring pgptls_test_support)
