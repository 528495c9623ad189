# Keyring store: the certificate index over 100 000 real certificates
# (made by store_certgen.cpp, cached by store_corpus.cpp).
pgptls_bench(keyring_store_index_bench
  SOURCES
    store_index_bench.cpp
    store_corpus.cpp
    store_certgen.cpp
  LIBS pgptls::keyring)

# The store itself: loading 100 000 certificates (one file, a directory),
# lookups by key ID, fingerprint and domain.
pgptls_bench(keyring_store_bench
  SOURCES
    store_bench.cpp
    store_corpus.cpp
    store_certgen.cpp
  LIBS pgptls::keyring)
