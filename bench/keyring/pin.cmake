# Pin store speed: the X.509 pin decision on the connection path, and a
# durable pin write.
pgptls_bench(keyring_pin_bench
  SOURCES pin_bench.cpp
  LIBS pgptls::keyring pgptls_test_support)

# What a rejected peer's catch-up costs over the PinCache, beside the
# refresh it replaced.
pgptls_bench(keyring_pin_cache_bench
  SOURCES pin_cache_bench.cpp
  LIBS pgptls::pins pgptls_test_support)
