pgptls_test(test_support_tests
  SOURCES ../support/support_test.cpp
  LIBS pgptls_engine_test_support)
