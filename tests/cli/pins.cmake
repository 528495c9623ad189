# `pgptls pins …` (signed pin lists) run as a program, against keys
# made by gpg, certificates made by openssl and HTTPS sites on 127.0.0.1.
add_library(cli_pins_world STATIC
  pins_world.cpp
  ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp)
target_link_libraries(cli_pins_world PUBLIC pgptls::base pgptls_test_support)
target_compile_definitions(cli_pins_world PRIVATE PGPTLS_BIN="$<TARGET_FILE:pgptls>"
  PGPTLS_BINARY_DIR="${PROJECT_BINARY_DIR}")
pgptls_warnings(cli_pins_world)

pgptls_test(cli_pins_sign_statement_tests
  SOURCES pins_sign_statement_test.cpp
  LIBS cli_pins_world pgptls::keyring)
add_dependencies(cli_pins_sign_statement_tests pgptls)

pgptls_test(cli_pins_refresh_tests
  SOURCES pins_refresh_test.cpp
  LIBS cli_pins_world fetch_https_test_site)
add_dependencies(cli_pins_refresh_tests pgptls)
