# pgptls serve / pgptls connect as programs: against each other, against
# gnutls-cli/gnutls-serv and openssl s_client/s_server, --forward, --config.
pgptls_test(cli_serve_connect_tests
  SOURCES serve_connect_test.cpp
  LIBS pgptls_test_support)
add_dependencies(cli_serve_connect_tests pgptls)
