pgptls_fuzz_target(posh_statement
  SOURCES posh_statement_fuzz.cpp
  LIBS pgptls::keyring
  SEEDS "${CMAKE_CURRENT_SOURCE_DIR}/corpus/posh_statement")
