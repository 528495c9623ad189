// toml_config.h: reads `--config FILE` for the pgptls programs with toml++
// (a full TOML 1.0 parser) instead of CLI11's partial one. Keys are the long
// option names without dashes; the command line wins over the file:
//
//   listen = "0.0.0.0:5269"
//   authority = ["/etc/pgptls/ca.asc,scope=*.example.org"]
//   client-auth = "require"
//   tofu = false
//
// Usage: app->config_formatter(std::make_shared<TomlConfig>());
//        app->set_config("--config", "", "Read options from a TOML file");
//        app->allow_config_extras(CLI::config_extras_mode::error);
#pragma once

#include <CLI/CLI.hpp>
#include <istream>
#include <string>
#include <vector>

namespace pgptls::cli {

// TomlConfig: a CLI11 config formatter over toml++. A syntax error, a table
// (the programs take flat settings only) or a value that is not a string,
// number, boolean or array of them is a CLI::ConfigError naming the line.
class TomlConfig final : public CLI::Config {
 public:
  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
};

}  // namespace pgptls::cli
