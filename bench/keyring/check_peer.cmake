pgptls_bench(keyring_check_peer_bench
  SOURCES check_peer_bench.cpp
  LIBS pgptls::keyring pgptls_test_support)
