# `pgptls demo` end to end: each step's verdict, in order, as expected; the
# last line is printed only when every verdict was the expected one.
add_test(NAME cli.demo COMMAND pgptls demo)
set_tests_properties(cli.demo PROPERTIES TIMEOUT 120
  PASS_REGULAR_EXPRESSION "\\$ gpg --default-key <authority> --quick-sign-key <b> xmpp:b\\.example.*\\$ gpg --import c\\.rev.*pgptls authority add authority\\.asc.*added authority.*pgptls keyring import c-revoked\\.asc.*4a\\. b\\.example's key.*accepted: authority .*verdict: accepted \\(as expected\\).*4b\\. the impostor.*rejected: .*not certified.*verdict: rejected \\(as expected\\).*4c\\. c\\.example's.*rejected: .*revoked.*verdict: rejected \\(as expected\\).*6\\. d\\.example, an X\\.509-only peer.*verdict: rejected \\(as expected\\).*7\\. d\\.example connects again.*echoed: hello from d.*verdict: accepted \\(as expected\\).*8\\. an impostor.*verdict: rejected \\(as expected\\).*drains and exits 0.*demo: every verdict was the expected one")

# The demo removes its directory when it finishes and when interrupted.
pgptls_test(cli_demo_tests SOURCES demo_test.cpp LIBS pgptls_test_support)
target_compile_definitions(cli_demo_tests PRIVATE PGPTLS_BIN="$<TARGET_FILE:pgptls>")
add_dependencies(cli_demo_tests pgptls)
