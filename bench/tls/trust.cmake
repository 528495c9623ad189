# The OpenPGP trust decision of one handshake (KeyringOpenPgpTrust::verify):
# a first contact (cold) against a returning peer (warm, cached).
pgptls_bench(tls_trust_bench
  SOURCES
    trust_bench.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
  LIBS pgptls::tls pgptls_test_support)
target_compile_definitions(tls_trust_bench PRIVATE PGPTLS_BINARY_DIR="${PROJECT_BINARY_DIR}")
