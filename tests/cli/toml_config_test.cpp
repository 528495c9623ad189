// Tests of the TOML config reader shared by `pgptls serve` and `connect`.
#include "cli/toml_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "tests/support/temp_dir.h"

namespace pgptls::cli {
namespace {

// Settings: a few options of each kind the programs use.
struct Settings {
  std::string listen;
  std::vector<std::string> authorities;
  bool tofu = false;
  int max_connections = 0;
};

class TomlConfigTest : public ::testing::Test {
 protected:
  TomlConfigTest() {
    app_.config_formatter(std::make_shared<TomlConfig>());
    app_.set_config("--config", "", "Read options from a TOML file");
    app_.allow_config_extras(CLI::config_extras_mode::error);
    app_.add_option("--listen", settings_.listen);
    app_.add_option("--authority", settings_.authorities);
    app_.add_flag("--tofu", settings_.tofu);
    app_.add_option("--max-connections", settings_.max_connections);
  }

  std::string write_config(const std::string& text) {
    const auto path = dir_.file("pgptls.toml");
    std::ofstream(path) << text;
    return path.string();
  }

  // parse: returns the CLI11 error message, or "" on success.
  std::string parse(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());  // CLI11 takes the vector reversed
    try {
      app_.parse(args);
      return "";
    } catch (const CLI::ParseError& error) {
      return error.what();
    }
  }

  test::TempDir dir_;
  CLI::App app_{"test"};
  Settings settings_;
};

TEST_F(TomlConfigTest, ReadsEveryKindOfSetting) {
  const std::string file = write_config(
      "# gateway for a.example\n"
      "listen = \"127.0.0.1:5269\"\n"
      "authority = [\"/etc/pgptls/ca.asc,scope=*.example.org\", \"/etc/pgptls/ca2.asc\"]\n"
      "tofu = true\n"
      "max-connections = 512\n");
  EXPECT_EQ(parse({"--config", file}), "");
  EXPECT_EQ(settings_.listen, "127.0.0.1:5269");
  EXPECT_EQ(
      settings_.authorities,
      (std::vector<std::string>{"/etc/pgptls/ca.asc,scope=*.example.org", "/etc/pgptls/ca2.asc"}));
  EXPECT_TRUE(settings_.tofu);
  EXPECT_EQ(settings_.max_connections, 512);
}

TEST_F(TomlConfigTest, CommandLineWinsOverTheFile) {
  const std::string file = write_config("listen = \"127.0.0.1:5269\"\nmax-connections = 5\n");
  EXPECT_EQ(parse({"--config", file, "--listen", "127.0.0.1:6000"}), "");
  EXPECT_EQ(settings_.listen, "127.0.0.1:6000");
  EXPECT_EQ(settings_.max_connections, 5);
}

TEST_F(TomlConfigTest, RejectsUnknownSettings) {
  const std::string file = write_config("lisen = \"127.0.0.1:5269\"\n");
  EXPECT_NE(parse({"--config", file}).find("lisen"), std::string::npos);
}

TEST_F(TomlConfigTest, RejectsSyntaxErrorsWithTheLine) {
  const std::string file = write_config("listen = \"127.0.0.1:5269\"\ntofu = \n");
  const std::string message = parse({"--config", file});
  EXPECT_NE(message.find("config file line 2"), std::string::npos) << message;
}

TEST_F(TomlConfigTest, RejectsTablesAndNestedValues) {
  const std::string table = write_config("[server]\nlisten = \"127.0.0.1:1\"\n");
  EXPECT_NE(parse({"--config", table}).find("setting 'server' (line 1) is a table"),
            std::string::npos);
  const std::string nested = write_config("authority = [[\"a\"]]\n");
  EXPECT_NE(parse({"--config", nested}).find("must be a string, number, boolean"),
            std::string::npos);
}

TEST_F(TomlConfigTest, RejectsValuesOfTheWrongType) {
  const std::string file = write_config("max-connections = \"many\"\n");
  EXPECT_NE(parse({"--config", file}), "");
}

}  // namespace
}  // namespace pgptls::cli
