# The OpenPGP options of pgptls serve / connect that fail before any
# connection (credentials, trust options, usage, --config), with gpg-made
# keys (openpgp_world.cpp, cached).
pgptls_test(cli_serve_connect_openpgp_tests
  SOURCES
    serve_connect_openpgp_test.cpp
    openpgp_world.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
  LIBS pgptls_test_support)
add_dependencies(cli_serve_connect_openpgp_tests pgptls)
