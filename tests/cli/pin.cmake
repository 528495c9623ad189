# `pgptls pin ...`: the commands run as the operator runs them, with exact
# outputs and exit codes.
pgptls_test(cli_pin_tests
  SOURCES
    pin_command_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/pins/pin_fixtures.cpp
  LIBS pgptls::keyring pgptls_test_support)
add_dependencies(cli_pin_tests pgptls)
