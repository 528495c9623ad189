pgptls_test(cli_toml_config_tests
  SOURCES toml_config_test.cpp "${PROJECT_SOURCE_DIR}/cli/toml_config.cpp"
  LIBS CLI11::CLI11 tomlplusplus::tomlplusplus pgptls_test_support)
