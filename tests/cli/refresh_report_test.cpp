// Tests of what `pgptls pins refresh` prints.
#include "cli/refresh_report.h"

#include <gtest/gtest.h>

#include <sstream>

namespace pgptls::cli {
namespace {

using fetch::RefreshResult;
using fetch::RefreshRow;

TEST(RefreshReport, TableShowsEveryDomainWithItsResult) {
  const std::vector<RefreshRow> rows{
      {"a.example", RefreshResult::updated, "", 2},
      {"longer.b.example", RefreshResult::unchanged, "", 1},
      {"c.example", RefreshResult::failed, "https://c.example/x: HTTP 404", 0}};
  std::ostringstream out;
  print_refresh_table(out, rows);
  EXPECT_EQ(out.str(),
            "domain            pins   result\n"
            "a.example         2      updated\n"
            "longer.b.example  1      unchanged\n"
            "c.example         -      failed: https://c.example/x: HTTP 404\n");
  EXPECT_EQ(refresh_exit_code(rows), 1);
  EXPECT_EQ(refresh_exit_code({rows[0], rows[1]}), 0);
  EXPECT_EQ(refresh_exit_code({}), 0);
}

TEST(RefreshReport, ProgressBarDrawsOnlyWhenEnabledAndClearsItself) {
  std::ostringstream quiet;
  ProgressBar off(quiet, false);
  off.update(1, 2);
  off.finish();
  EXPECT_EQ(quiet.str(), "");

  std::ostringstream drawn;
  ProgressBar on(drawn, true);
  on.update(1, 2);
  EXPECT_EQ(drawn.str(), "\r[###############...............] 1/2");
  on.update(2, 2);
  on.finish();
  EXPECT_NE(drawn.str().find("[##############################] 2/2"), std::string::npos);
  EXPECT_EQ(drawn.str().back(), '\r');
}

}  // namespace
}  // namespace pgptls::cli
