// `pgptls pin ...` end to end: the real program on a throwaway pin database,
// certificates made by openssl, outputs and exit codes checked exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <thread>

#include "pins/pin_store.h"
#include "tests/pins/pin_fixtures.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace pgptls::cli {
namespace {

using test::run_tool;
using test::ToolResult;

const std::string kPinA = "d6qzRu9zOECb90Uez27xWltNsj0e1Md7GkYYkVoZWmM=";
const std::string kPinB = "E9CZ9INDbd+2eRQozYqqbQ2yXLVKB9+xcprMF+44U1g=";

std::string program() {
  return std::string(PGPTLS_BINARY_DIR) + "/cli/pgptls";
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The created column holds the wall-clock time of the run, and pins added
// in different seconds list in creation order: compare the masked lines as a
// sorted set.
std::string mask_times(const std::string& text) {
  static const std::regex time(R"(\t20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ\t)");
  std::istringstream lines(std::regex_replace(text, time, "\tCREATED\t"));
  std::vector<std::string> sorted;
  for (std::string line; std::getline(lines, line);) {
    sorted.push_back(line + "\n");
  }
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (const std::string& line : sorted) {
    out += line;
  }
  return out;
}

class PinCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys_ = new test::TempDir();
    cert_ = new test::X509Fixture(test::make_x509(keys_->path(), "b", "b.example"));
  }
  static void TearDownTestSuite() {
    delete cert_;
    delete keys_;
  }

  // pin: runs `pgptls pin ARGS... --pins <db>` (the option goes after the
  // sub-subcommand, where it is defined).
  ToolResult pin(std::vector<std::string> args, const std::string& stdin_data = {}) {
    std::vector<std::string> argv = {program(), "pin"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--pins");
    argv.push_back(db_.string());
    test::ToolOptions options;
    options.stdin_data = stdin_data;
    options.env["PGPTLS_HOME"] = home_.path().string();
    return run_tool(argv, options);
  }

  static test::TempDir* keys_;
  static test::X509Fixture* cert_;
  test::TempDir home_;
  std::filesystem::path db_ = home_.file("test-pins.sqlite");
};
test::TempDir* PinCommand::keys_ = nullptr;
test::X509Fixture* PinCommand::cert_ = nullptr;

TEST_F(PinCommand, AddListRemove) {
  ToolResult add = pin({"add", "B.Example.", kPinA, "--note", "current key"});
  ASSERT_TRUE(add.ok()) << add.describe();
  EXPECT_EQ(add.out, "added pin-sha256=\"" + kPinA + "\" for b.example\n");
  EXPECT_EQ(add.err, "");

  add = pin({"add", "b.example", "pin-sha256=\"" + kPinB + "\"", "--expires", "2020-01-01"});
  ASSERT_TRUE(add.ok()) << add.describe();
  add = pin({"add", "c.example", kPinB, "--expires", "2099-12-31T23:59:59Z"});
  ASSERT_TRUE(add.ok()) << add.describe();
  add = pin({"add", "b.example", kPinA, "--note", "still current"});
  ASSERT_TRUE(add.ok()) << add.describe();
  EXPECT_EQ(add.out, "updated pin-sha256=\"" + kPinA + "\" for b.example\n");

  const ToolResult all = pin({"list"});
  ASSERT_TRUE(all.ok()) << all.describe();
  EXPECT_EQ(mask_times(all.out), "b.example\tpin-sha256=\"" + kPinB +
                                     "\"\tmanual\tCREATED\t2020-01-01T00:00:00Z (expired)\t\n"
                                     "b.example\tpin-sha256=\"" +
                                     kPinA +
                                     "\"\tmanual\tCREATED\tnever\tstill current\n"
                                     "c.example\tpin-sha256=\"" +
                                     kPinB + "\"\tmanual\tCREATED\t2099-12-31T23:59:59Z\t\n");
  const ToolResult one = pin({"list", "C.EXAMPLE"});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(mask_times(one.out),
            "c.example\tpin-sha256=\"" + kPinB + "\"\tmanual\tCREATED\t2099-12-31T23:59:59Z\t\n");
  EXPECT_EQ(pin({"list", "d.example"}).out, "");

  const ToolResult removed = pin({"remove", "b.example", kPinB});
  ASSERT_TRUE(removed.ok()) << removed.describe();
  EXPECT_EQ(removed.out, "removed pin-sha256=\"" + kPinB + "\" for b.example\n");
  const ToolResult again = pin({"remove", "b.example", kPinB});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.out, "");
  EXPECT_EQ(again.err, "pgptls: no pin pin-sha256=\"" + kPinB +
                           "\" for b.example; see 'pgptls pin list b.example'\n");
}

TEST_F(PinCommand, AddFromCertificateUsesTheSpkiPin) {
  ASSERT_FALSE(cert_->pin.empty());
  ToolResult add = pin({"add", "b.example", "--cert", cert_->cert_pem.string()});
  ASSERT_TRUE(add.ok()) << add.describe();
  EXPECT_EQ(add.out, "added pin-sha256=\"" + cert_->pin + "\" for b.example\n");
  add = pin({"add", "b.example", "--cert", cert_->cert_der.string()});
  ASSERT_TRUE(add.ok()) << add.describe();
  EXPECT_EQ(add.out, "updated pin-sha256=\"" + cert_->pin + "\" for b.example\n");

  const ToolResult not_cert = pin({"add", "b.example", "--cert", cert_->spki_file.string()});
  EXPECT_EQ(not_cert.exit_code, 2);
  EXPECT_EQ(
      not_cert.err.rfind(
          "pgptls: " + cert_->spki_file.string() + ": not an X.509 certificate in DER or PEM", 0),
      0u)
      << not_cert.err;
  const ToolResult missing = pin({"add", "b.example", "--cert", keys_->file("nope").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope"), std::string::npos) << missing.err;
}

TEST_F(PinCommand, UsageErrorsAreOneLineWithExitCode2) {
  const struct {
    std::vector<std::string> args;
    std::string err;
  } cases[] = {
      {{"add", "b.example"},
       "pgptls: pin add needs exactly one of PIN and --cert FILE (see pgptls pin --help)\n"},
      {{"add", "b.example", kPinA, "--expires", "next week"},
       "pgptls: --expires 'next week' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ) (see "
       "pgptls pin --help)\n"},
      {{"add", "b.example", "abc"},
       "pgptls: pin 'abc' is not a pin-sha256 value (base64 of 32 bytes, RFC 7469 §2.4); "
       "compute it from the certificate with 'pgptls pin add DOMAIN --cert FILE'\n"},
      {{"add", "b..example", kPinA},
       "pgptls: domain 'b..example' has an empty label; give a DNS name such as b.example\n"},
      {{"tofu", "on"},
       "pgptls: pin tofu takes DOMAIN or --global, then on or off (see pgptls pin --help)\n"},
      {{"require-openpgp", "b.example", "yes"},
       "pgptls: pin require-openpgp: expected on or off, not 'yes' (see pgptls pin --help)\n"},
      {{"tofu", "--global", "b.example", "on"},
       "pgptls: pin tofu takes DOMAIN or --global, then on or off (see pgptls pin --help)\n"},
  };
  for (const auto& c : cases) {
    const ToolResult result = pin(c.args);
    EXPECT_EQ(result.exit_code, 2) << c.args[0] << " " << c.args[1];
    EXPECT_EQ(result.err, c.err);
    EXPECT_EQ(result.out, "");
  }
  // CLI11's own parse errors follow the program-wide one-line rule.
  const ToolResult both = pin({"add", "b.example", kPinA, "--cert", "x.pem"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_EQ(std::count(both.err.begin(), both.err.end(), '\n'), 1);
  const ToolResult bare = run_tool({program(), "pin"});
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_EQ(bare.err, "pgptls: A subcommand is required (see pgptls --help)\n");
  // Nothing above created a pin.
  auto store = pins::PinStore::open(db_);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(store->all_pins()->empty());
}

TEST_F(PinCommand, SwitchesAreStoredPerDomainAndGlobally) {
  ToolResult result = pin({"tofu", "--global", "on"});
  ASSERT_TRUE(result.ok()) << result.describe();
  EXPECT_EQ(result.out, "tofu is on globally\n");
  result = pin({"tofu", "B.example", "off"});
  EXPECT_EQ(result.out, "tofu is off for b.example\n");
  result = pin({"require-openpgp", "c.example", "on"});
  EXPECT_EQ(result.out, "require-openpgp is on for c.example\n");
  result = pin({"require-openpgp", "--global", "off"});
  EXPECT_EQ(result.out, "require-openpgp is off globally\n");

  auto store = pins::PinStore::open(db_);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(*store->effective_setting("a.example", pins::Setting::tofu));
  EXPECT_FALSE(*store->effective_setting("b.example", pins::Setting::tofu));
  EXPECT_TRUE(*store->effective_setting("c.example", pins::Setting::require_openpgp));
  EXPECT_FALSE(*store->effective_setting("b.example", pins::Setting::require_openpgp));
}

TEST_F(PinCommand, ExportImportRoundTrip) {
  ASSERT_TRUE(pin({"add", "b.example", kPinA, "--note", "caf\xC3\xA9"}).ok());
  ASSERT_TRUE(pin({"add", "c.example", kPinB, "--expires", "2030-01-01"}).ok());
  ASSERT_TRUE(pin({"tofu", "--global", "on"}).ok());
  ASSERT_TRUE(pin({"require-openpgp", "c.example", "on"}).ok());
  {
    auto store = pins::PinStore::open(db_);
    ASSERT_TRUE(store->record_openpgp_auth("c.example", *base::parse_utc("2026-05-01")).ok());
  }
  const ToolResult exported = pin({"export"});
  ASSERT_TRUE(exported.ok()) << exported.describe();
  EXPECT_NE(exported.out.find("\"format\": \"pgptls-pins\""), std::string::npos);
  EXPECT_NE(exported.out.find("\"first\": \"2026-05-01T00:00:00Z\""), std::string::npos);

  const std::filesystem::path file = home_.file("pins.json");
  std::ofstream(file) << exported.out;
  db_ = home_.file("copy.sqlite");
  const ToolResult imported = pin({"import", file.string()});
  ASSERT_TRUE(imported.ok()) << imported.describe();
  EXPECT_EQ(imported.out, "imported 2 pins, 2 settings, 1 OpenPGP records\n");
  EXPECT_EQ(pin({"export"}).out, exported.out);

  // Standard input works too, and importing again changes nothing.
  const ToolResult from_stdin = pin({"import", "-"}, exported.out);
  ASSERT_TRUE(from_stdin.ok()) << from_stdin.describe();
  EXPECT_EQ(pin({"export"}).out, exported.out);
}

TEST_F(PinCommand, BadImportChangesNothing) {
  ASSERT_TRUE(pin({"add", "b.example", kPinA}).ok());
  const std::string before = pin({"export"}).out;
  const struct {
    std::string json;
    std::string err;
  } cases[] = {
      {"{", "pgptls: pin JSON input: not valid JSON; export a file with 'pgptls pin export'\n"},
      {R"({"format": "pgptls-pins", "version": 2})",
       "pgptls: pin JSON top level: field 'version' must be 1 (this pgptls reads version 1)\n"},
      {R"({"format": "pgptls-pins", "version": 1, "pins": [{"domain": "c.example", "pin": ")" +
           kPinB +
           R"(", "source": "manual", "created": "2026-01-01T00:00:00Z"}, {"domain": "d.example", "pin": "xx", "source": "manual", "created": "2026-01-01T00:00:00Z"}]})",
       "pgptls: pin JSON pins[1]: pin 'xx' is not a pin-sha256 value (base64 of 32 bytes, RFC "
       "7469 §2.4); compute it from the certificate with 'pgptls pin add DOMAIN --cert FILE'\n"},
      {R"({"format": "pgptls-pins", "version": 1, "pins": [], "setings": []})",
       "pgptls: pin JSON top level: unknown field 'setings'\n"},
  };
  for (const auto& c : cases) {
    const ToolResult result = pin({"import", "-"}, c.json);
    EXPECT_EQ(result.exit_code, 2) << c.json;
    EXPECT_EQ(result.err, c.err);
  }
  EXPECT_EQ(pin({"export"}).out, before);
}

TEST_F(PinCommand, DefaultDatabaseLivesInTheStateDirectory) {
  test::ToolOptions options;
  options.env["PGPTLS_HOME"] = home_.file("state").string();
  const ToolResult add = run_tool({program(), "pin", "add", "b.example", kPinA}, options);
  ASSERT_TRUE(add.ok()) << add.describe();
  EXPECT_TRUE(std::filesystem::exists(home_.file("state/pins.sqlite")));
  const ToolResult list = run_tool({program(), "pin", "list"}, options);
  EXPECT_NE(list.out.find(kPinA), std::string::npos);
}

TEST_F(PinCommand, DamagedDatabaseIsReportedAndLeftAlone) {
  const std::string garbage = "this is not an SQLite database, but it is the operator's file\n";
  std::ofstream(db_, std::ios::binary) << garbage;
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"list"}, {"add", "b.example", kPinA}}) {
    const ToolResult result = pin(args);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_EQ(result.err, "pgptls: reading " + db_.string() +
                              ": file is not a database; the file was left untouched: restore it "
                              "from a backup or move it aside to start with an empty one\n");
  }
  EXPECT_EQ(slurp(db_), garbage);
}

// Two operators (or an operator and a server) run the program at once.
TEST_F(PinCommand, ConcurrentProgramsBothLand) {
  const std::string loop =
      "for i in $(seq 0 14); do \"$0\" pin add \"$1-$i.example\" \"$2\" --pins \"$3\" "
      ">/dev/null || exit 1; done";
  ToolResult results[2];
  std::thread writers[2];
  for (int w = 0; w < 2; ++w) {
    writers[w] = std::thread([&, w] {
      results[w] = run_tool({"bash", "-c", loop, program(), "w" + std::to_string(w),
                             w == 0 ? kPinA : kPinB, db_.string()});
    });
  }
  for (auto& writer : writers) {
    writer.join();
  }
  EXPECT_TRUE(results[0].ok()) << results[0].describe();
  EXPECT_TRUE(results[1].ok()) << results[1].describe();
  auto store = pins::PinStore::open(db_);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->all_pins()->size(), 30u);
  EXPECT_EQ(*store->database().integrity_check(), "ok");
}

}  // namespace
}  // namespace pgptls::cli
