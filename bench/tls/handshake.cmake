# Mutual TLS 1.2 handshakes per second: the RFC 6091 engine next to GnuTLS's
# own handshake, both ends in one thread over memory.
pgptls_bench(tls_handshake_bench
  SOURCES handshake_bench.cpp
  LIBS pgptls::tls pgptls_tls_engine_openpgp_support pgptls_tls_engine_test_support pgptls_test_support PkgConfig::GNUTLS)
