# The PROXY v2 parser of mod_pgptls, with the Lua that Prosody runs
# (/usr/bin/prosody starts with `#!/usr/bin/env lua5.4`).
add_test(NAME s2s.prosody_proxyv2_parser
  COMMAND lua5.4 "${PROJECT_SOURCE_DIR}/contrib/prosody/test_proxyv2.lua"
    "${PROJECT_SOURCE_DIR}/contrib/prosody")
set_tests_properties(s2s.prosody_proxyv2_parser PROPERTIES TIMEOUT 30)

# mod_pgptls in a real Prosody with a test-only PROXY v2 sender and outbound
# listener, and the harness (two plain Prosody instances over dnsmasq).
add_test(NAME s2s.prosody_module
  COMMAND /usr/bin/python3 "${CMAKE_CURRENT_SOURCE_DIR}/prosody_module_test.py")
set_tests_properties(s2s.prosody_module PROPERTIES TIMEOUT 300)

# `pgptls s2s` end to end: Prosody pairs behind pgptls with OpenPGP keys made
# by gpg, an impostor, a plain X.509 Prosody and pins, SRV from dnsmasq.
add_test(NAME s2s.pgptls_end_to_end
  COMMAND /usr/bin/python3 "${CMAKE_CURRENT_SOURCE_DIR}/pgptls_s2s_test.py" $<TARGET_FILE:pgptls>)
set_tests_properties(s2s.pgptls_end_to_end PROPERTIES TIMEOUT 600)
