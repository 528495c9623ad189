# The gpg part of `pgptls demo` (cli/demo_keys.cpp): keys made, certified
# and revoked by the real gpg, checked with `pgptls verify-cert`,
# `authority list`, `keyring list` and the keyring library.
pgptls_test(cli_demo_keys_tests
  SOURCES
    demo_keys_test.cpp
    ${PROJECT_SOURCE_DIR}/cli/demo_keys.cpp
    ${PROJECT_SOURCE_DIR}/cli/demo_process.cpp
  LIBS pgptls::keyring pgptls_test_support)
add_dependencies(cli_demo_keys_tests pgptls)
