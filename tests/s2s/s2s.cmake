# The s2s proxy. Unit tests: RFC 2782 SRV ordering, static routes, the
# authenticated-domain rule, the c-ares resolver against a real dnsmasq.
# Process tests: `pgptls s2s` proxies chained over loopback with small
# in-test XMPP peers (a local server behind each proxy, hostile clients),
# OpenPGP keys from gpg and X.509 identities from certtool.
pgptls_test(s2s_unit_tests
  SOURCES
    srv_order_test.cpp
    link_test.cpp
    resolver_test.cpp
    dnsmasq.cpp
  LIBS pgptls::s2s pgptls_test_support)

pgptls_test(s2s_proxy_tests
  SOURCES
    proxy_test.cpp
    proxy_bad_input_test.cpp
    s2s_world.cpp
    raw_peer.cpp
    dnsmasq.cpp
    ${PROJECT_SOURCE_DIR}/tests/cli/openpgp_world.cpp
    ${PROJECT_SOURCE_DIR}/tests/keyring/store_gpg.cpp
    ${PROJECT_SOURCE_DIR}/tests/tls/gnutls_test_pki.cpp
  LIBS pgptls::xmpp pgptls::transport pgptls_test_support pgptls_engine_test_support)
add_dependencies(s2s_proxy_tests pgptls)
