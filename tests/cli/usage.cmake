add_test(NAME cli.usage COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/usage_test.sh" $<TARGET_FILE:pgptls>)
set_tests_properties(cli.usage PROPERTIES TIMEOUT 60)
