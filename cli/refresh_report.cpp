#include "cli/refresh_report.h"

#include <algorithm>
#include <iomanip>
#include <string>

namespace pgptls::cli {
namespace {

constexpr std::size_t kBarWidth = 30;

std::string result_text(const fetch::RefreshRow& row) {
  switch (row.result) {
    case fetch::RefreshResult::updated:
      return "updated";
    case fetch::RefreshResult::unchanged:
      return "unchanged";
    case fetch::RefreshResult::failed:
      return "failed: " + row.reason;
  }
  return "failed";
}

}  // namespace

void ProgressBar::update(std::size_t done, std::size_t total) {
  if (!enabled_ || total == 0) {
    return;
  }
  const std::size_t filled = std::min(kBarWidth, done * kBarWidth / total);
  out_ << "\r[" << std::string(filled, '#') << std::string(kBarWidth - filled, '.') << "] " << done
       << "/" << total << std::flush;
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_) {
    // Overwrite the bar with spaces, then return to the line start.
    out_ << "\r" << std::string(kBarWidth + 24, ' ') << "\r" << std::flush;
    drawn_ = false;
  }
}

void print_refresh_table(std::ostream& out, const std::vector<fetch::RefreshRow>& rows) {
  std::size_t domain_width = std::string("domain").size();
  for (const auto& row : rows) {
    domain_width = std::max(domain_width, row.domain.size());
  }
  out << std::left << std::setw(static_cast<int>(domain_width)) << "domain"
      << "  " << std::setw(5) << "pins"
      << "  result\n";
  for (const auto& row : rows) {
    const std::string pins =
        row.result == fetch::RefreshResult::failed ? "-" : std::to_string(row.pin_count);
    out << std::left << std::setw(static_cast<int>(domain_width)) << row.domain << "  "
        << std::setw(5) << pins << "  " << result_text(row) << "\n";
  }
}

int refresh_exit_code(const std::vector<fetch::RefreshRow>& rows) {
  const bool all_ok = std::all_of(rows.begin(), rows.end(), [](const auto& row) {
    return row.result != fetch::RefreshResult::failed;
  });
  return all_ok ? 0 : 1;
}

}  // namespace pgptls::cli
