# `pgptls verify-cert` run as a program against certificates made by gpg and
# the GnuTLS 3.5 reference keys.
pgptls_test(cli_verify_cert_tests
  SOURCES
    verify_cert_test.cpp
    keyring_world.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
  LIBS pgptls_test_support)
add_dependencies(cli_verify_cert_tests pgptls)
