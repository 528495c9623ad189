# The RFC 6091 engine: our client against our server in memory, with
# certtool-made credentials and a pinning test verifier.
add_library(pgptls_tls_engine_test_support STATIC engine_support.cpp)
target_link_libraries(pgptls_tls_engine_test_support PUBLIC pgptls::tls pgptls_test_support)
pgptls_warnings(pgptls_tls_engine_test_support)

pgptls_test(tls_engine_tests
  SOURCES engine_test.cpp
  LIBS pgptls::tls pgptls_tls_engine_test_support pgptls_test_support)
