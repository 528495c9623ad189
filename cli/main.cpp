// main.cpp: the pgptls program's entry point and subcommand dispatch.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "endpoint/program_clock.h"

namespace pgptls::cli {

std::vector<std::pair<std::string, CommandAdder>>& registered_commands() {
  static std::vector<std::pair<std::string, CommandAdder>> commands;
  return commands;
}

}  // namespace pgptls::cli

namespace {

constexpr const char* kDescription =
    "pgptls: OpenPGP-authenticated TLS for XMPP server-to-server links (RFC 6091)";

// add_help_command: `pgptls help [SUBCOMMAND]` prints a subcommand's help.
void add_help_command(CLI::App& app, pgptls::cli::Action& action) {
  CLI::App* help = app.add_subcommand("help", "Show help for a subcommand");
  auto topic = std::make_shared<std::string>();
  help->add_option("subcommand", *topic, "The subcommand to explain");
  help->callback([&app, &action, topic] {
    action = [&app, topic] {
      if (topic->empty()) {
        std::cout << pgptls::cli::program_help(app);
        return 0;
      }
      for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        const auto& aliases = sub->get_aliases();
        if (sub->get_name() == *topic ||
            std::find(aliases.begin(), aliases.end(), *topic) != aliases.end()) {
          std::cout << sub->help();
          return 0;
        }
      }
      std::cerr << "pgptls: unknown subcommand '" << *topic << "' (see pgptls --help)\n";
      return 2;
    };
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(kDescription, "pgptls");
  app.set_version_flag("--version", std::string("pgptls ") + PGPTLS_VERSION);
  app.require_subcommand(0, 1);

  pgptls::cli::Action action;
  add_help_command(app, action);
  // Subcommands appear in --help in name order, whatever the link order.
  auto commands = pgptls::cli::registered_commands();
  std::sort(commands.begin(), commands.end());
  for (const auto& [name, add_command] : commands) {
    add_command(app, action);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A usage error is one line on stderr and exit code 2.
    std::cerr << "pgptls: " << e.what() << " (see pgptls --help)\n";
    return 2;
  }
  if (!action) {
    std::cout << pgptls::cli::program_help(app);
    return 0;
  }
  // A test clock set without its permission stops every command here, so
  // none of them runs on a time it was not meant to see.
  if (auto clock = pgptls::endpoint::program_clock(); !clock.ok()) {
    std::cerr << "pgptls: " << clock.error().message() << "\n";
    return 2;
  }
  return action();
}
