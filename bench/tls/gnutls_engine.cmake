# Handshakes/s of the GnuTLS engine over memory, and ClientHello dispatch.
pgptls_bench(tls_gnutls_engine_bench
  SOURCES gnutls_engine_bench.cpp
  LIBS pgptls::tls pgptls_engine_test_support)
