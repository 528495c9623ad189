add_library(transport_https_test_site STATIC https_test_site.cpp)
target_link_libraries(transport_https_test_site PUBLIC pgptls::transport pgptls::fetch pgptls_test_support GTest::gtest)
pgptls_warnings(transport_https_test_site)

pgptls_test(transport_https_fetch_tests
  SOURCES https_fetch_test.cpp
  LIBS transport_https_test_site)
pgptls_test(transport_pin_refresh_tests
  SOURCES pin_refresh_test.cpp
  LIBS transport_https_test_site)
