# Loopback handshake rate and memory per idle connection (GnuTLS engine).
pgptls_bench(transport_bench
  SOURCES transport_bench.cpp
  LIBS pgptls::transport pgptls_test_support)
