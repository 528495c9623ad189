# The RFC 6091 engine: our client against our server in memory, with
# certtool-made credentials and a pinning test verifier.
add_library(pgptls_tls_engine_test_support STATIC engine_support.cpp)
target_link_libraries(pgptls_tls_engine_test_support PUBLIC pgptls::tls pgptls_test_support)
pgptls_warnings(pgptls_tls_engine_test_support)

pgptls_test(tls_engine_tests
  SOURCES engine_test.cpp
  LIBS pgptls::tls pgptls_tls_engine_test_support pgptls_test_support)

# OpenPGP credentials made by gpg in the test.
add_library(pgptls_tls_engine_openpgp_support STATIC engine_openpgp.cpp)
target_link_libraries(pgptls_tls_engine_openpgp_support PUBLIC pgptls::tls pgptls_test_support)
target_compile_definitions(pgptls_tls_engine_openpgp_support PRIVATE
  PGPTLS_TEST_DATA_DIR="${PGPTLS_TEST_DATA_DIR}")
pgptls_warnings(pgptls_tls_engine_openpgp_support)

# handshake_order_test.cpp: every shape x side x state x input against the
# independent table of handshake_order.h, the test's own oracle (it needs
# both kinds of credentials).
pgptls_test(tls_engine_openpgp_tests
  SOURCES engine_openpgp_test.cpp handshake_order.cpp handshake_order_test.cpp
  LIBS pgptls::tls pgptls_tls_engine_openpgp_support pgptls_tls_engine_test_support
       pgptls_test_support)
