// Tests of the pin store's JSON form (`pgptls pin export` / `pin import`).
#include <gtest/gtest.h>

#include "pins/errors.h"
#include "pins/pin_json.h"

namespace pgptls::pins {
namespace {

const std::string kPinA = "d6qzRu9zOECb90Uez27xWltNsj0e1Md7GkYYkVoZWmM=";

PinSnapshot sample() {
  PinSnapshot snapshot;
  Pin pin;
  pin.domain = "b.example";
  pin.pin_sha256 = kPinA;
  pin.source = PinSource::signed_list;
  pin.created = *base::parse_utc("2026-01-01T00:00:00Z");
  pin.expires = *base::parse_utc("2027-01-01T00:00:00Z");
  pin.note = "backup \"key\"";
  snapshot.pins.push_back(pin);
  snapshot.settings.push_back({std::nullopt, Setting::tofu, true});
  snapshot.settings.push_back({"c.example", Setting::require_openpgp, false});
  snapshot.openpgp.push_back(
      {"c.example", *base::parse_utc("2026-02-01"), *base::parse_utc("2026-03-01")});
  return snapshot;
}

TEST(PinJson, RoundTrips) {
  const std::string text = format_pin_json(sample());
  const auto parsed = parse_pin_json(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  ASSERT_EQ(parsed->pins.size(), 1u);
  EXPECT_EQ(parsed->pins[0].source, PinSource::signed_list);
  EXPECT_EQ(parsed->pins[0].expires, *base::parse_utc("2027-01-01"));
  EXPECT_EQ(parsed->pins[0].note, "backup \"key\"");
  ASSERT_EQ(parsed->settings.size(), 2u);
  EXPECT_FALSE(parsed->settings[0].domain.has_value());
  EXPECT_EQ(parsed->settings[1].domain, "c.example");
  EXPECT_FALSE(parsed->settings[1].on);
  ASSERT_EQ(parsed->openpgp.size(), 1u);
  EXPECT_EQ(parsed->openpgp[0].last, *base::parse_utc("2026-03-01"));
  EXPECT_EQ(format_pin_json(*parsed), text);
}

TEST(PinJson, NormalisesDomainsAndPinSpellings) {
  const auto parsed = parse_pin_json(
      R"({"format":"pgptls-pins","version":1,"pins":[{"domain":"B.Example.","pin":"pin-sha256=\")" +
      kPinA + R"(\"","source":"manual","created":"2026-01-01"}]})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->pins[0].domain, "b.example");
  EXPECT_EQ(parsed->pins[0].pin_sha256, kPinA);
  EXPECT_FALSE(parsed->pins[0].expires.has_value());
}

TEST(PinJson, RejectsEachMalformedFieldNamingIt) {
  const std::string head = R"({"format":"pgptls-pins","version":1,)";
  const std::string pin_ok = R"("domain":"b.example","pin":")" + kPinA + R"(","source":"manual")";
  const struct {
    std::string json;
    std::string message;
  } cases[] = {
      {"[]", "pin JSON top level: must be an object"},
      {R"({"format":"other","version":1})", "field 'format' must be \"pgptls-pins\""},
      {R"({"format":"pgptls-pins","version":"1"})", "field 'version' must be 1"},
      {head + R"("pins":{}})", "field 'pins' must be an array"},
      {head + R"("pins":[1]})", "pin JSON pins[0]: must be an object"},
      {head + R"("pins":[{)" + pin_ok + "}]}", "pins[0]: field 'created' must be a string"},
      {head + R"("pins":[{)" + pin_ok + R"(,"created":"yesterday"}]})",
       "pins[0]: field 'created' is not a YYYY-MM-DDTHH:MM:SSZ time"},
      {head + R"("pins":[{)" + pin_ok + R"(,"created":"1013-11-29T04:24:53Z"}]})",
       "pin JSON pins[0]: field 'created' "},
      {head + R"("pins":[{)" + pin_ok + R"(,"created":"2026-01-01","expires":"2300-01-01"}]})",
       "pin JSON pins[0]: field 'expires' "},
      {head + R"("openpgp":[{"domain":"b.example","first":"0001-01-01","last":"2026-01-01"}]})",
       "pin JSON openpgp[0]: field 'first' "},
      {head + R"("pins":[{)" + pin_ok + R"(,"created":"2026-01-01","expires":"2200-06-01"}]})",
       "pin JSON pins[0]: field 'expires' must lie between 1970-01-01 and 2199-12-31"},
      {head + R"("pins":[{)" + pin_ok + R"(,"created":"2026-01-01","expires":5}]})",
       "pins[0]: field 'expires' must be a string"},
      {head + R"("pins":[{)" + pin_ok + R"(,"created":"2026-01-01","note":7}]})",
       "pins[0]: field 'note' must be a string"},
      {head + R"("pins":[{)" + pin_ok + R"(,"created":"2026-01-01","note":")" +
           std::string(1025, 'x') + R"("}]})",
       "pins[0]: field 'note' is longer than 1024 bytes"},
      {head + R"("pins":[{)" + pin_ok + R"(,"created":"2026-01-01","colour":"red"}]})",
       "pins[0]: unknown field 'colour'"},
      {head + R"("pins":[{"domain":"b example","pin":")" + kPinA +
           R"(","source":"manual","created":"2026-01-01"}]})",
       "pin JSON pins[0]: domain 'b example' contains a character"},
      {head + R"("pins":[{"domain":"b.example","pin":")" + kPinA +
           R"(","source":"friend","created":"2026-01-01"}]})",
       "pin JSON pins[0]: unknown pin source 'friend'"},
      {head + R"("settings":[{"domain":null,"name":"tofu","value":1}]})",
       "settings[0]: field 'value' must be true or false"},
      {head + R"("settings":[{"name":"pkix","value":true}]})",
       "settings[0]: unknown setting 'pkix'"},
      {head + R"("openpgp":[{"domain":"b.example","first":"2026-02-01","last":"2026-01-01"}]})",
       "openpgp[0]: 'last' is before 'first'"},
      {"{\"format\": \"pgptls-pins\", \"version\": 1, \"pins\": [", "not valid JSON"},
  };
  for (const auto& c : cases) {
    const auto result = parse_pin_json(c.json);
    ASSERT_FALSE(result.ok()) << c.json;
    EXPECT_EQ(result.error().code, PinErrc::invalid_argument);
    EXPECT_NE(result.error().message().find(c.message), std::string::npos)
        << result.error().message() << "\nexpected: " << c.message;
  }
  const std::string huge(kMaxPinJsonSize + 1, ' ');
  EXPECT_NE(parse_pin_json(huge).error().message().find("larger than 8 MiB"), std::string::npos);
}

}  // namespace
}  // namespace pgptls::pins
