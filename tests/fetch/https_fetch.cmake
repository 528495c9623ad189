# The batch HTTPS fetcher and POSH refresh against real HTTPS servers
# (openssl s_server with a private CA on loopback).
add_library(fetch_https_test_site STATIC https_test_site.cpp)
target_link_libraries(fetch_https_test_site PUBLIC pgptls::fetch pgptls_test_support GTest::gtest)
pgptls_warnings(fetch_https_test_site)

pgptls_test(fetch_https_fetch_tests
  SOURCES https_fetch_test.cpp
  LIBS fetch_https_test_site)
# The acceptor in these tests refuses with an OpenPGP error, as the real one does.
pgptls_test(fetch_pin_refresh_tests
  SOURCES pin_refresh_test.cpp
  LIBS fetch_https_test_site pgptls::openpgp)
