# Authorities and validation: scopes, certifications, revocations, and the
# verdicts on real gpg-made certificates compared with gpg's own.
pgptls_test(keyring_authority_tests
  SOURCES
    authority_test.cpp
  LIBS pgptls::keyring pgptls_test_support)

pgptls_test(keyring_gpg_fixture_tests
  SOURCES
    gpg_fixture_test.cpp
  LIBS pgptls::keyring pgptls_test_support)

pgptls_test(keyring_policy_tests
  SOURCES
    policy_test.cpp
  LIBS pgptls::keyring)
