pgptls_test(cli_refresh_report_tests
  SOURCES refresh_report_test.cpp "${PROJECT_SOURCE_DIR}/cli/refresh_report.cpp"
  LIBS pgptls::transport)
