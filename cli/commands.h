// commands.h: each subcommand of the pgptls program registers itself on the
// CLI11 application and leaves an action to run after parsing.
//
// A command file defines `void add_x_command(CLI::App&, Action&)` and
// registers it with `const CommandRegistration x_registration{"x", add_x_command};`
// so that adding a command never edits main.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgptls::cli {

// Action: what a parsed subcommand does; returns the process exit code
// (0 success, 1 a negative verdict or failed operation, 2 usage or I/O error).
using Action = std::function<int()>;

// CommandAdder: adds one subcommand (and its options) to the application;
// its callback stores the Action to run.
using CommandAdder = void (*)(CLI::App& app, Action& action);

// registered_commands: every registered subcommand, by name.
std::vector<std::pair<std::string, CommandAdder>>& registered_commands();

// CommandRegistration: registers a subcommand during static initialisation.
struct CommandRegistration {
  CommandRegistration(std::string_view name, CommandAdder adder) {
    registered_commands().emplace_back(std::string(name), adder);
  }
};

// run_when_parsed: when `command` is the subcommand parsed, `action`
// becomes run(*args). `args` holds what the command's options wrote while
// parsing and lives as long as the action.
template <class Args>
void run_when_parsed(CLI::App* command, std::shared_ptr<Args> args, Action& action,
                     int (*run)(const Args&)) {
  command->callback([&action, args, run] { action = [args, run] { return run(*args); }; });
}

// Subcommand: a subcommand and the arguments its options fill.
template <class Args>
struct Subcommand {
  CLI::App* command;
  std::shared_ptr<Args> args;
};

// add_command: adds the subcommand `name` to `parent`, with fresh Args for
// its options, run by run(*args) when it is the one parsed
// (run_when_parsed). The caller adds the options:
//   const auto [command, args] = add_command(parent, "name", "what it does", action, run_name);
//   command->add_option("--file", args->file, "...");
template <class Args>
Subcommand<Args> add_command(CLI::App* parent, std::string name, std::string description,
                             Action& action, int (*run)(const Args&)) {
  auto args = std::make_shared<Args>();
  CLI::App* command = parent->add_subcommand(std::move(name), std::move(description));
  run_when_parsed(command, args, action, run);
  return {command, std::move(args)};
}

// program_help: the top-level help text, even while a subcommand is selected
// (CLI11's App::help() would describe the selected subcommand instead).
inline std::string program_help(const CLI::App& app) {
  return app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
}

}  // namespace pgptls::cli
