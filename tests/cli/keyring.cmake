# `pgptls keyring …` and `pgptls authority …` run as a program against
# certificates made by gpg (tests/cli/keyring_world.cpp, cached).
pgptls_test(cli_keyring_tests
  SOURCES
    keyring_test.cpp
    authority_test.cpp
    keyring_world.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
  LIBS pgptls_test_support)
add_dependencies(cli_keyring_tests pgptls)
