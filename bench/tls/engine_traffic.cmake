# Application data through a whole engine (write_app, records, feed,
# read_app): the RFC 6091 engine next to the GnuTLS engine, over memory.
pgptls_bench(tls_engine_traffic_bench
  SOURCES engine_traffic_bench.cpp
  LIBS pgptls::tls pgptls_tls_engine_test_support pgptls_engine_test_support)
