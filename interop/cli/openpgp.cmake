# pgptls connect <-> pgptls serve with OpenPGP (RFC 6091), both as real
# processes on 127.0.0.1, keys made and certified by gpg (cached).
pgptls_test(cli_openpgp_interop_tests
  SOURCES
    openpgp_test.cpp
    ${PROJECT_SOURCE_DIR}/tests/cli/openpgp_world.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
  LIBS pgptls_test_support)
add_dependencies(cli_openpgp_interop_tests pgptls)
