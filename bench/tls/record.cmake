# Record throughput, pgptls vs GnuTLS's record layer (16 KiB records).
pgptls_bench(tls_record_bench
  SOURCES record_bench.cpp
  LIBS pgptls::tls pgptls_tls_gnutls_pair)
