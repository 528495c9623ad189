pgptls_test(cli_option_values_tests
  SOURCES option_values_test.cpp "${PROJECT_SOURCE_DIR}/cli/option_values.cpp"
  LIBS pgptls::base)
