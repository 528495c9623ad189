# pgptls_tls_capture: the GnuTLS 3.5 reference captures as test data
# (tshark-extracted streams, key logs, a decoder over pgptls's record layer),
# for any tls test that links it.
add_library(pgptls_tls_capture STATIC capture.cpp)
target_link_libraries(pgptls_tls_capture PUBLIC pgptls::tls pgptls_test_support)
target_compile_definitions(pgptls_tls_capture PRIVATE
  PGPTLS_TEST_DATA_DIR="${PGPTLS_TEST_DATA_DIR}")
pgptls_warnings(pgptls_tls_capture)
