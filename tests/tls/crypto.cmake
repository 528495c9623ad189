# Crypto core and record layer of the RFC 6091 engine: key schedule, AEAD
# records, record framing, ECDHE and signature schemes, cross-checked against
# OpenSSL and GnuTLS run by the tests.
add_library(pgptls_tls_crypto_test_tools STATIC crypto_tools.cpp)
target_link_libraries(pgptls_tls_crypto_test_tools PUBLIC pgptls::tls pgptls_test_support
                      GTest::gtest)
pgptls_warnings(pgptls_tls_crypto_test_tools)

pgptls_test(tls_crypto_tests
  SOURCES
    crypto_prf_test.cpp
    crypto_suite_test.cpp
    crypto_record_test.cpp
  LIBS pgptls::tls pgptls_tls_crypto_test_tools pgptls_test_support)

pgptls_test(tls_crypto_exchange_tests
  SOURCES
    crypto_key_exchange_test.cpp
    crypto_signature_test.cpp
  LIBS pgptls::tls pgptls_tls_crypto_test_tools pgptls_test_support)

pgptls_test(tls_crypto_capture_tests
  SOURCES crypto_capture_test.cpp
  LIBS pgptls::tls pgptls_tls_capture)

# A GnuTLS client/server pair over memory (no test framework), shared with
# the record benchmark.
add_library(pgptls_tls_gnutls_pair STATIC crypto_gnutls_pair.cpp)
target_link_libraries(pgptls_tls_gnutls_pair PUBLIC pgptls::tls)
target_include_directories(pgptls_tls_gnutls_pair PUBLIC "${PROJECT_SOURCE_DIR}")
pgptls_warnings(pgptls_tls_gnutls_pair)

pgptls_test(tls_crypto_gnutls_tests
  SOURCES crypto_gnutls_test.cpp
  LIBS pgptls::tls pgptls_tls_gnutls_pair pgptls_tls_crypto_test_tools)
