#include <iostream>

#include "cli/commands.h"

namespace pgptls::cli {
namespace {

void add_demo_command(CLI::App& app, Action& action) {
  CLI::App* demo = app.add_subcommand(
      "demo", "Show OpenPGP-authenticated s2s TLS end to end on built-in defaults");
  demo->callback([&app, &action] {
    // The walk-through needs the TLS engine and the transport; until they
    // exist the demo says so and shows what the program offers.
    action = [&app] {
      std::cout << "pgptls demo: the end-to-end walk-through arrives with the transport layer.\n\n"
                << program_help(app);
      return 0;
    };
  });
}

const CommandRegistration demo_registration{"demo", add_demo_command};

}  // namespace
}  // namespace pgptls::cli
