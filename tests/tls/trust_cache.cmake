# KeyringOpenPgpTrust's validation cache: a returning peer is answered from
# it; expiries and revocations are never served stale (gpg-made keys).
pgptls_test(tls_trust_cache_tests
  SOURCES
    trust_cache_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
  LIBS pgptls::tls pgptls_test_support)
