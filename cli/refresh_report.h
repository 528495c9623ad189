// refresh_report.h: what `pgptls pins refresh` shows: a progress bar while
// fetching (only on a terminal, so cron mail stays clean) and a table of
// one row per domain at the end.
#pragma once

#include <cstddef>
#include <ostream>
#include <vector>

#include "fetch/pin_refresh.h"

namespace pgptls::cli {

// ProgressBar: redraws one line "[#####.....] 12/40" in place.
class ProgressBar {
 public:
  // enabled: draw at all (the caller passes isatty(stderr)).
  ProgressBar(std::ostream& out, bool enabled) : out_(out), enabled_(enabled) {}
  void update(std::size_t done, std::size_t total);
  // finish: clears the line so the table starts on a clean one.
  void finish();

 private:
  std::ostream& out_;
  bool enabled_;
  bool drawn_ = false;
};

// print_refresh_table: columns domain, result, pins; a failed row's reason
// follows its result ("failed: <reason>").
void print_refresh_table(std::ostream& out, const std::vector<fetch::RefreshRow>& rows);

// refresh_exit_code: 0 when every domain succeeded (updated or unchanged),
// 1 otherwise.
int refresh_exit_code(const std::vector<fetch::RefreshRow>& rows);

}  // namespace pgptls::cli
