# `pgptls demo` end to end: each step's verdict, in order, as expected; the
# last line is printed only when every verdict was the expected one.
add_test(NAME cli.demo COMMAND pgptls demo)
set_tests_properties(cli.demo PROPERTIES TIMEOUT 120
  PASS_REGULAR_EXPRESSION "3\\. b\\.example connects with X\\.509.*verdict: rejected \\(as expected\\).*4\\. b\\.example connects again.*echoed: hello from b.*verdict: accepted \\(as expected\\).*5\\. an impostor.*verdict: rejected \\(as expected\\).*drains and exits 0.*demo: every verdict was the expected one")
