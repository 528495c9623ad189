#include "cli/toml_config.h"

#include <toml++/toml.h>
#include <sstream>

namespace pgptls::cli {
namespace {

std::string where(const toml::node& node) {
  return "line " + std::to_string(node.source().begin.line);
}

// scalar_text: a TOML scalar as the text CLI11 would have read on the
// command line.
std::string scalar_text(const toml::node& node, const std::string& key) {
  if (const auto* text = node.as_string()) {
    return text->get();
  }
  if (const auto* integer = node.as_integer()) {
    return std::to_string(integer->get());
  }
  if (const auto* flag = node.as_boolean()) {
    return flag->get() ? "true" : "false";
  }
  if (const auto* number = node.as_floating_point()) {
    std::ostringstream text;
    text << number->get();
    return text.str();
  }
  throw CLI::ConfigError("setting '" + key + "' (" + where(node) +
                         ") must be a string, number, boolean or a list of them");
}

}  // namespace

std::string TomlConfig::to_config(const CLI::App* app, bool default_also, bool write_description,
                                  std::string prefix) const {
  // Flat key = value lines are valid TOML; CLI11's writer produces them.
  return CLI::ConfigTOML().to_config(app, default_also, write_description, std::move(prefix));
}

std::vector<CLI::ConfigItem> TomlConfig::from_config(std::istream& input) const {
  toml::table table;
  try {
    table = toml::parse(input);
  } catch (const toml::parse_error& error) {
    throw CLI::ConfigError("config file line " + std::to_string(error.source().begin.line) + ": " +
                           std::string(error.description()));
  }
  std::vector<CLI::ConfigItem> items;
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    CLI::ConfigItem item;
    item.name = name;
    if (node.is_table() || node.is_array_of_tables()) {
      throw CLI::ConfigError("setting '" + name + "' (" + where(node) +
                             ") is a table; pgptls settings are plain key = value lines");
    }
    if (const auto* list = node.as_array()) {
      for (const toml::node& element : *list) {
        item.inputs.push_back(scalar_text(element, name));
      }
    } else {
      item.inputs.push_back(scalar_text(node, name));
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace pgptls::cli
