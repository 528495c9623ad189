# Pin store speed: the X.509 pin decision on the connection path, and a
# durable pin write.
pgptls_bench(keyring_pin_bench
  SOURCES pin_bench.cpp
  LIBS pgptls::keyring pgptls_test_support)
