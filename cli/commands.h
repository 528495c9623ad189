// commands.h: each subcommand of the pgptls program registers itself on the
// CLI11 application and leaves an action to run after parsing.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace pgptls::cli {

// Action: what a parsed subcommand does; returns the process exit code
// (0 success, 1 a negative verdict or failed operation, 2 usage or I/O error).
using Action = std::function<int()>;

// program_help: the top-level help text, even while a subcommand is selected
// (CLI11's App::help() would describe the selected subcommand instead).
inline std::string program_help(const CLI::App& app) {
  return app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
}

// add_demo_command: `pgptls demo`.
void add_demo_command(CLI::App& app, Action& action);

}  // namespace pgptls::cli
