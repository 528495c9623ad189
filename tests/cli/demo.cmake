# `pgptls demo` end to end: each step's verdict, in order, as expected; the
# last line is printed only when every verdict was the expected one.
add_test(NAME cli.demo COMMAND pgptls demo)
set_tests_properties(cli.demo PROPERTIES TIMEOUT 120
  PASS_REGULAR_EXPRESSION "\\$ gpg --default-key <authority> --quick-sign-key <b> xmpp:b\\.example.*\\$ gpg --import c\\.rev.*pgptls authority add authority\\.asc.*added authority.*pgptls keyring import c-revoked\\.asc.*5\\. b\\.example connects with OpenPGP.*client: handshake ok: TLS1\\.2 [^\n]*cert=openpgp peer=a\\.example authority .*server: handshake ok: TLS1\\.2 [^\n]*cert=openpgp peer=b\\.example authority .*echoed: hello from b.*verdict: accepted \\(as expected\\).*6\\. an impostor[^\n]*xmpp:b\\.example.*server: handshake failed: [^\n]*not certified.*verdict: rejected \\(as expected\\).*7\\. d\\.example, an X\\.509-only peer.*server: handshake failed: .*verdict: rejected \\(as expected\\).*pgptls pin add d\\.example.*8\\. d\\.example connects again.*server: handshake ok: [^\n]*cert=x509 peer=d\\.example.*echoed: hello from d.*verdict: accepted \\(as expected\\).*9\\. an impostor claiming d\\.example.*server: handshake failed: .*verdict: rejected \\(as expected\\).*10\\. c\\.example connects with OpenPGP.*server: handshake failed: [^\n]*revoked.*verdict: rejected \\(as expected\\).*drains and exits 0.*demo: every verdict was the expected one")

# The demo removes its directory when it finishes and when interrupted.
pgptls_test(cli_demo_tests SOURCES demo_test.cpp LIBS pgptls_test_support)
add_dependencies(cli_demo_tests pgptls)
